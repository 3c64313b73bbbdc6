namespace Gateway.Policy.Model;

/// <summary>What a service is.</summary>
public enum ServiceKind : byte
{
    /// <summary><c>pacs</c>: an archive that receives stores and answers queries and retrieves (DIMSE).</summary>
    Pacs,

    /// <summary><c>worklist</c>: a RIS answering Modality Worklist queries (DIMSE).</summary>
    Worklist,

    /// <summary><c>query-retrieve</c>: a Q/R provider (DIMSE).</summary>
    QueryRetrieve,

    /// <summary><c>dicomweb</c>: a DICOMweb origin (QIDO-RS, WADO-RS, STOW-RS).</summary>
    DicomWeb,

    /// <summary><c>admin</c>: the gateway's admin API.</summary>
    Admin,
}
