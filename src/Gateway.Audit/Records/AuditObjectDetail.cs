namespace Gateway.Audit.Records;

/// <summary>ParticipantObjectDetail of PS3.15 A.5.1: a type/value pair (the value is base64 in the XML).</summary>
/// <param name="Type">The detail's name.</param>
/// <param name="Value">The detail's value.</param>
public sealed record AuditObjectDetail(string Type, string Value);
