namespace Gateway.Audit.Records;

/// <summary>AuditSourceIdentification of PS3.15 A.5.1: the system that detected the event and made the record.</summary>
public sealed record AuditSource
{
    /// <summary>AuditSourceID: identifies this gateway instance (for example its host name or device name).</summary>
    public required string SourceId { get; init; }

    /// <summary>AuditEnterpriseSiteID: the site, if known.</summary>
    public string? EnterpriseSiteId { get; init; }

    /// <summary>AuditSourceTypeCode values 1-9 (RFC 3881); the gateway is 4, "application server process".</summary>
    public IReadOnlyList<int> SourceTypeCodes { get; init; } = [4];
}
