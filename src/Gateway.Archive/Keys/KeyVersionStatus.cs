namespace Gateway.Archive.Keys;

/// <summary>One key-encryption key version: whether it is available and how many keys it wraps.</summary>
public sealed record KeyVersionStatus
{
    /// <summary>The version.</summary>
    public required int Version { get; init; }

    /// <summary>True when the key is at hand (a key file, or a version of the secret).</summary>
    public required bool Available { get; init; }

    /// <summary>Object data keys wrapped under it.</summary>
    public required long DataKeys { get; init; }

    /// <summary>True when the index's attribute key is wrapped under it.</summary>
    public required bool WrapsAttributeKey { get; init; }

    /// <summary>For a key file, its permission bits (for example 0600); null otherwise.</summary>
    public UnixFileMode? FileMode { get; init; }

    /// <summary>True when rows use it.</summary>
    public bool InUse => DataKeys > 0 || WrapsAttributeKey;
}
