using System.Globalization;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Identity.Keys;

/// <summary>
/// The local server's keys in DATA/identity/keys (0700; PEM files 0600): RSA signing keys <c>signing-TIME.pem</c>, the
/// newest signing, and one RSA key <c>encryption.pem</c> for the server's own encrypted tokens (authorization codes).
/// </summary>
/// <remarks>
/// Keys are generated on first run. <see cref="Rotate"/> (run by <c>gatewayctl identity rotate-signing-key</c>) adds a
/// new signing key; a running server sees it within <see cref="GatewayIdentityOptions.KeyRefreshInterval"/> (it compares
/// the directory listing) and signs with it from then on, while the previous key stays published in the JWKS and
/// accepted until every token it signed has expired. Retired key files are deleted <see cref="RetiredKeyRetention"/> after
/// their retirement. The creation time is part of the file name, so that copying files does not change the order.
/// </remarks>
public sealed class SigningKeyRing
{
    /// <summary>How long a retired signing key's file is kept (far beyond any token's lifetime).</summary>
    public static readonly TimeSpan RetiredKeyRetention = TimeSpan.FromHours(24);

    private const string SigningPrefix = "signing-";
    private const string EncryptionFile = "encryption.pem";
    private const string TimeFormat = "yyyyMMdd'T'HHmmssfff'Z'";
    private const int MaxKeyFileBytes = 16 * 1024;

    private readonly string _directory;
    private readonly int _keySize;
    private readonly TimeProvider _time;
    private readonly TimeSpan _refreshInterval;
    private readonly Lock _lock = new();
    private KeyRingSnapshot _snapshot;
    private string _listing;
    private long _checkedAtTicks;

    private SigningKeyRing(string directory, int keySize, TimeProvider time, TimeSpan refreshInterval, RsaSecurityKey encryptionKey)
    {
        _directory = directory;
        _keySize = keySize;
        _time = time;
        _refreshInterval = refreshInterval;
        EncryptionKey = encryptionKey;
        (_snapshot, _listing) = Load();
        _checkedAtTicks = time.GetUtcNow().UtcTicks;
    }

    /// <summary>The key that encrypts and decrypts the server's own tokens (authorization codes).</summary>
    public RsaSecurityKey EncryptionKey { get; }

    /// <summary>The keys as last loaded, reloaded first when the refresh interval has passed and the directory changed.</summary>
    public KeyRingSnapshot Snapshot
    {
        get
        {
            DateTimeOffset now = _time.GetUtcNow();
            if (now.UtcTicks - Volatile.Read(ref _checkedAtTicks) >= _refreshInterval.Ticks)
            {
                Refresh();
            }

            return Volatile.Read(ref _snapshot);
        }
    }

    /// <summary>
    /// Opens the key directory, creating it, the first signing key and the encryption key when missing.
    /// </summary>
    /// <exception cref="InvalidDataException">A key file is unreadable, accessible by others, or not an RSA key.</exception>
    public static SigningKeyRing Open(string directory, int keySize, TimeProvider time, TimeSpan refreshInterval)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(time);
        OwnerOnlyFiles.EnsureDirectory(directory);
        string encryptionPath = Path.Combine(directory, EncryptionFile);
        if (!File.Exists(encryptionPath))
        {
            WriteKey(encryptionPath, keySize);
        }

        if (!Directory.EnumerateFiles(directory, SigningPrefix + "*.pem").Any())
        {
            WriteKey(Path.Combine(directory, FileNameFor(time.GetUtcNow())), keySize);
        }

        return new SigningKeyRing(directory, keySize, time, refreshInterval, new RsaSecurityKey(ReadRsa(encryptionPath)) { KeyId = "enc-1" });
    }

    /// <summary>Reloads the keys now if the directory listing changed.</summary>
    public void Refresh()
    {
        lock (_lock)
        {
            Volatile.Write(ref _checkedAtTicks, _time.GetUtcNow().UtcTicks);
            if (Listing() != _listing)
            {
                (KeyRingSnapshot snapshot, string listing) = Load();
                Volatile.Write(ref _snapshot, snapshot);
                _listing = listing;
            }
        }
    }

    /// <summary>
    /// Creates a new signing key, which signs from now on (in a running server, from its next refresh), and deletes key
    /// files retired more than <see cref="RetiredKeyRetention"/> ago.
    /// </summary>
    /// <returns>The new key and the file names deleted.</returns>
    public (SigningKey NewKey, IReadOnlyList<string> Deleted) Rotate()
    {
        lock (_lock)
        {
            DateTimeOffset now = _time.GetUtcNow();
            DateTimeOffset created = now > _snapshot.Current.CreatedAt ? now : _snapshot.Current.CreatedAt.AddMilliseconds(1);
            WriteKey(Path.Combine(_directory, FileNameFor(created)), _keySize);
            (KeyRingSnapshot snapshot, string listing) = Load();
            var deleted = new List<string>();
            foreach (SigningKey key in snapshot.Keys)
            {
                if (snapshot.RetiredAt(key) is { } retired && retired + RetiredKeyRetention < now)
                {
                    File.Delete(Path.Combine(_directory, key.FileName));
                    deleted.Add(key.FileName);
                }
            }

            if (deleted.Count > 0)
            {
                (snapshot, listing) = Load();
            }

            Volatile.Write(ref _snapshot, snapshot);
            _listing = listing;
            return (snapshot.Current, deleted);
        }
    }

    private (KeyRingSnapshot Snapshot, string Listing) Load()
    {
        var keys = new List<SigningKey>();
        foreach (string path in Directory.EnumerateFiles(_directory, SigningPrefix + "*.pem"))
        {
            string name = Path.GetFileName(path);
            if (!DateTimeOffset.TryParseExact(name[SigningPrefix.Length..^4], TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset created))
            {
                throw new InvalidDataException($"signing key file {path} is not named signing-{TimeFormat.Replace("'", string.Empty, StringComparison.Ordinal)}.pem");
            }

            var key = new RsaSecurityKey(ReadRsa(path));
            key.KeyId = Base64UrlEncoder.Encode(key.ComputeJwkThumbprint());
            keys.Add(new SigningKey(key.KeyId, created, key, name));
        }

        if (keys.Count == 0)
        {
            throw new InvalidDataException($"no signing key in {_directory}");
        }

        keys.Sort((a, b) => a.CreatedAt.CompareTo(b.CreatedAt));
        return (new KeyRingSnapshot(keys), string.Join('\n', keys.Select(k => k.FileName)));
    }

    private string Listing() =>
        string.Join('\n', Directory.EnumerateFiles(_directory, SigningPrefix + "*.pem").Select(Path.GetFileName).Order(StringComparer.Ordinal));

    private static string FileNameFor(DateTimeOffset created) =>
        SigningPrefix + created.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture) + ".pem";

    private static void WriteKey(string path, int keySize)
    {
        using var rsa = RSA.Create(keySize);
        OwnerOnlyFiles.WriteNew(path, rsa.ExportPkcs8PrivateKeyPem() + "\n");
    }

    private static RSA ReadRsa(string path)
    {
        string pem = OwnerOnlyFiles.ReadSecret(path, MaxKeyFileBytes);
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
            throw new InvalidDataException($"key file {path} does not hold an RSA private key", ex);
        }

        if (rsa.KeySize < 2048)
        {
            rsa.Dispose();
            throw new InvalidDataException($"key file {path} holds a {rsa.KeySize}-bit key; at least 2048 bits are required");
        }

        return rsa;
    }
}
