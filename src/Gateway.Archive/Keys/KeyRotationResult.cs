namespace Gateway.Archive.Keys;

/// <summary>What a key rotation did.</summary>
public sealed record KeyRotationResult
{
    /// <summary>The key-encryption key version every data key is now wrapped under.</summary>
    public required int Version { get; init; }

    /// <summary>True when this rotation created <see cref="Version"/> (key files); false when it moved to the highest version of the secret.</summary>
    public required bool CreatedVersion { get; init; }

    /// <summary>Data keys (and the attribute key) re-wrapped.</summary>
    public required long Rewrapped { get; init; }

    /// <summary>Versions whose key files were removed because no row uses them any more.</summary>
    public required IReadOnlyList<int> RetiredVersions { get; init; }
}
