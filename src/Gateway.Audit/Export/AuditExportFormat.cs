namespace Gateway.Audit.Export;

/// <summary>How exported records are written.</summary>
public enum AuditExportFormat
{
    /// <summary>One JSON object per line: <c>{"index":N,"record":{...}}</c> (the record in its canonical JSON).</summary>
    Jsonl,

    /// <summary>RFC 4180 CSV, one row per record, the main fields flattened.</summary>
    Csv,

    /// <summary>DICOM PS3.15 A.5 audit messages (the ATNA XML), wrapped in one <c>AuditMessages</c> element.</summary>
    AtnaXml,

    /// <summary>A FHIR R4 Bundle (type collection) of AuditEvent resources following IHE BALP basics.</summary>
    Fhir,
}
