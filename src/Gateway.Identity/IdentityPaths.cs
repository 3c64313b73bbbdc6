namespace Gateway.Identity;

/// <summary>Where the identity keeps its files under the gateway's data directory (all owner-only).</summary>
/// <param name="Directory">DATA/identity (0700).</param>
public sealed record IdentityPaths(string Directory)
{
    /// <summary>The paths under <paramref name="dataDirectory"/>.</summary>
    public static IdentityPaths ForDataDirectory(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        return new IdentityPaths(Path.Combine(Path.GetFullPath(dataDirectory), "identity"));
    }

    /// <summary>The SQLite database of clients, accounts, authorizations and tokens (0600).</summary>
    public string Database => Path.Combine(Directory, "identity.db");

    /// <summary>Signing and encryption keys (0700 directory, 0600 PEM files).</summary>
    public string KeyDirectory => Path.Combine(Directory, "keys");

    /// <summary>ASP.NET Core data protection keys (login cookie, anti-forgery tokens).</summary>
    public string DataProtectionDirectory => Path.Combine(Directory, "data-protection");
}
