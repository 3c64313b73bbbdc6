using System.ComponentModel.DataAnnotations;

namespace Gateway.Host.DicomWeb;

/// <summary>The DICOMweb front door (<c>Gateway:DicomWeb</c>) on the HTTPS endpoint.</summary>
public sealed class DicomWebOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Gateway:DicomWeb";

    /// <summary>Serve DICOMweb at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The policy service (kind <c>dicomweb</c>) whose flows and origin apply.</summary>
    [Required]
    public string Service { get; set; } = "dicomweb";

    /// <summary>
    /// The PACS's DICOMweb root (for example <c>https://pacs.example-hospital.org/dicom-web/</c>). Overrides the policy
    /// service's <c>origin</c>; one of the two must be set for QIDO-RS and WADO-RS.
    /// </summary>
    public Uri? Origin { get; set; }

    /// <summary>A PEM file of CA certificates to trust for an HTTPS origin (instead of the system's store).</summary>
    public string? OriginTrustedCa { get; set; }

    /// <summary>How long an upstream request may stay silent before it is abandoned.</summary>
    [Range(1, 86400)]
    public int TimeoutSeconds { get; set; } = 300;

    /// <summary>The largest query string accepted (QIDO-RS); longer ones are refused with 414 before anything else.</summary>
    [Range(256, 1 << 20)]
    public int MaxQueryLength { get; set; } = 8192;

    /// <summary>The largest STOW-RS request body accepted, in bytes (the HTTPS endpoint's limit is raised to it for STOW-RS only).</summary>
    [Range(1L << 20, 1L << 40)]
    public long MaxStowRequestBytes { get; set; } = 8L << 30;

    /// <summary>The largest instance (one part of a STOW-RS body), in bytes.</summary>
    [Range(1L << 16, 1L << 40)]
    public long MaxStowInstanceBytes { get; set; } = 4L << 30;

    /// <summary>The most instances (parts) in one STOW-RS request.</summary>
    [Range(1, 1_000_000)]
    public int MaxStowInstances { get; set; } = 10_000;
}
