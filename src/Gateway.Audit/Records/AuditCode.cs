namespace Gateway.Audit.Records;

/// <summary>A coded value (PS3.15 A.5.1 <c>CodedValueType</c>): code value, coding scheme designator, code meaning.</summary>
/// <param name="Code">The code value (<c>csd-code</c>).</param>
/// <param name="CodeSystemName">The coding scheme designator (<c>codeSystemName</c>), e.g. <c>DCM</c>.</param>
/// <param name="Meaning">The code meaning (<c>originalText</c>).</param>
public sealed record AuditCode(string Code, string CodeSystemName, string Meaning);
