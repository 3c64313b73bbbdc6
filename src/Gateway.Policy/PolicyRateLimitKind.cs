namespace Gateway.Policy;

/// <summary>What a rate limit counts.</summary>
public enum PolicyRateLimitKind : byte
{
    /// <summary>DIMSE associations.</summary>
    Associations,

    /// <summary>Instances stored or retrieved.</summary>
    Instances,

    /// <summary>DICOMweb or admin requests.</summary>
    Requests,
}
