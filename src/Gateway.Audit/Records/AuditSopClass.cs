namespace Gateway.Audit.Records;

/// <summary>The <c>SOPClass</c> element of a participant object (PS3.15 A.5.1): a SOP class and how many instances of it.</summary>
/// <param name="Uid">The SOP Class UID.</param>
/// <param name="NumberOfInstances">How many instances of that class took part.</param>
public sealed record AuditSopClass(string Uid, int NumberOfInstances);
