namespace Gateway.Archive.Index;

/// <summary>Patient and study attributes of a study: in the index only inside an AES-GCM blob (identifiers also as keyed hashes).</summary>
public sealed record StudyAttributes
{
    /// <summary>(0010,0010) Patient's Name, as received.</summary>
    public string? PatientName { get; init; }

    /// <summary>(0010,0020) Patient ID.</summary>
    public string? PatientId { get; init; }

    /// <summary>(0010,0021) Issuer of Patient ID.</summary>
    public string? IssuerOfPatientId { get; init; }

    /// <summary>(0010,0030) Patient's Birth Date (DA).</summary>
    public string? PatientBirthDate { get; init; }

    /// <summary>(0010,0040) Patient's Sex.</summary>
    public string? PatientSex { get; init; }

    /// <summary>(0008,0050) Accession Number.</summary>
    public string? AccessionNumber { get; init; }

    /// <summary>(0008,1030) Study Description.</summary>
    public string? StudyDescription { get; init; }

    /// <summary>(0008,0090) Referring Physician's Name.</summary>
    public string? ReferringPhysicianName { get; init; }

    /// <summary>(0020,0010) Study ID.</summary>
    public string? StudyId { get; init; }
}
