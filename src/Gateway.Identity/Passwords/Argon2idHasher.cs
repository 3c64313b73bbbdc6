using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;

namespace Gateway.Identity.Passwords;

/// <summary>
/// Password hashes with Argon2id (RFC 9106, BouncyCastle) in the PHC string format:
/// <c>$argon2id$v=19$m=19456,t=2,p=1$SALT$HASH</c> (unpadded base64), so that each hash carries its own parameters.
/// </summary>
/// <remarks>
/// Verification recomputes the hash with the stored parameters and compares in constant time. A stored string is parsed
/// with limits (<see cref="Argon2idParameters"/>) before any memory is committed. Passwords are limited to
/// <see cref="MaxPasswordBytes"/> UTF-8 bytes.
/// </remarks>
public static class Argon2idHasher
{
    /// <summary>The longest password accepted, in UTF-8 bytes.</summary>
    public const int MaxPasswordBytes = 1024;

    /// <summary>The shortest password accepted for a new hash, in characters.</summary>
    public const int MinPasswordLength = 12;

    private const int SaltBytes = 16;
    private const int HashBytes = 32;
    private const int MaxEncodedLength = 256;
    private const string Prefix = "$argon2id$v=19$";

    /// <summary>Hashes <paramref name="password"/> with a fresh random salt.</summary>
    /// <exception cref="ArgumentException">The password is empty or longer than <see cref="MaxPasswordBytes"/>.</exception>
    public static string Hash(string password, Argon2idParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (parameters.Validate() is { } problem)
        {
            throw new ArgumentException("invalid Argon2id parameters: " + problem, nameof(parameters));
        }

        byte[] secret = Encode(password);
        byte[] salt = RandomNumberGenerator.GetBytes(SaltBytes);
        byte[] hash = new byte[HashBytes];
        try
        {
            Derive(secret, salt, parameters, hash);
            return string.Create(CultureInfo.InvariantCulture,
                $"{Prefix}m={parameters.MemoryKiB},t={parameters.Iterations},p={parameters.Parallelism}${B64(salt)}${B64(hash)}");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
            CryptographicOperations.ZeroMemory(hash);
        }
    }

    /// <summary>Whether <paramref name="password"/> matches <paramref name="encoded"/>; false for a malformed or out-of-limits hash.</summary>
    public static bool Verify(string password, string encoded)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(encoded);
        if (!TryParse(encoded, out Argon2idParameters parameters, out byte[] salt, out byte[] expected)
            || Encoding.UTF8.GetByteCount(password) > MaxPasswordBytes)
        {
            return false;
        }

        byte[] secret = Encoding.UTF8.GetBytes(password);
        byte[] actual = new byte[expected.Length];
        try
        {
            Derive(secret, salt, parameters, actual);
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
            CryptographicOperations.ZeroMemory(actual);
        }
    }

    /// <summary>Whether a stored hash was made with other parameters than <paramref name="current"/> (re-hash it at the next login).</summary>
    public static bool NeedsRehash(string encoded, Argon2idParameters current) =>
        !TryParse(encoded, out Argon2idParameters parameters, out _, out _) || parameters != current;

    /// <summary>Parses a PHC string; false when it is not an Argon2id v19 hash within the limits.</summary>
    public static bool TryParse(string encoded, out Argon2idParameters parameters, out byte[] salt, out byte[] hash)
    {
        parameters = default;
        salt = [];
        hash = [];
        if (encoded is null || encoded.Length > MaxEncodedLength || !encoded.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        string[] parts = encoded[Prefix.Length..].Split('$');
        if (parts.Length != 3)
        {
            return false;
        }

        int m = 0, t = 0, p = 0;
        string[] costs = parts[0].Split(',');
        if (costs.Length != 3
            || !TryCost(costs[0], "m=", out m) || !TryCost(costs[1], "t=", out t) || !TryCost(costs[2], "p=", out p))
        {
            return false;
        }

        var candidate = new Argon2idParameters(m, t, p);
        if (candidate.Validate() is not null || !TryB64(parts[1], out byte[] s) || !TryB64(parts[2], out byte[] h)
            || s.Length is < 8 or > 64 || h.Length is < 16 or > 64)
        {
            return false;
        }

        parameters = candidate;
        salt = s;
        hash = h;
        return true;
    }

    /// <summary>The UTF-8 bytes of a new password, checked for length.</summary>
    /// <exception cref="ArgumentException">Too short, too long, or with control characters.</exception>
    private static byte[] Encode(string password)
    {
        if (password.Length < MinPasswordLength)
        {
            throw new ArgumentException($"a password needs at least {MinPasswordLength} characters", nameof(password));
        }

        if (password.Any(char.IsControl))
        {
            throw new ArgumentException("a password must not contain control characters", nameof(password));
        }

        byte[] bytes = Encoding.UTF8.GetBytes(password);
        if (bytes.Length > MaxPasswordBytes)
        {
            CryptographicOperations.ZeroMemory(bytes);
            throw new ArgumentException($"a password may have at most {MaxPasswordBytes} UTF-8 bytes", nameof(password));
        }

        return bytes;
    }

    private static void Derive(byte[] secret, byte[] salt, Argon2idParameters parameters, byte[] output)
    {
        var generator = new Argon2BytesGenerator();
        generator.Init(new Argon2Parameters.Builder(Argon2Parameters.Argon2id)
            .WithVersion(Argon2Parameters.Version13)
            .WithMemoryAsKB(parameters.MemoryKiB)
            .WithIterations(parameters.Iterations)
            .WithParallelism(parameters.Parallelism)
            .WithSalt(salt)
            .Build());
        generator.GenerateBytes(secret, output);
    }

    private static bool TryCost(string text, string prefix, out int value)
    {
        value = 0;
        return text.StartsWith(prefix, StringComparison.Ordinal) && text.Length - prefix.Length is >= 1 and <= 8
            && int.TryParse(text.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static bool TryB64(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length is 0 or > 100)
        {
            return false;
        }

        string padded = text + new string('=', (4 - (text.Length % 4)) % 4);
        Span<byte> buffer = stackalloc byte[80];
        if (!Convert.TryFromBase64String(padded, buffer, out int written))
        {
            return false;
        }

        bytes = buffer[..written].ToArray();
        return true;
    }
}
