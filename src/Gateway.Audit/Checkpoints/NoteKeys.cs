using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Audit.Checkpoints;

/// <summary>Key names and key ids of C2SP signed notes with Ed25519 (signature type 0x01).</summary>
public static class NoteKeys
{
    /// <summary>The signature type byte of Ed25519 in C2SP signed-note.</summary>
    public const byte Ed25519Type = 0x01;

    /// <summary>Longest key name accepted.</summary>
    public const int MaxNameLength = 256;

    /// <summary>key ID = SHA-256(key name || 0x0A || 0x01 || public key)[:4], big-endian.</summary>
    public static uint KeyId(string name, ReadOnlySpan<byte> publicKey)
    {
        ArgumentNullException.ThrowIfNull(name);
        byte[] nameBytes = Encoding.UTF8.GetBytes(name);
        byte[] input = new byte[nameBytes.Length + 2 + publicKey.Length];
        nameBytes.CopyTo(input, 0);
        input[nameBytes.Length] = 0x0A;
        input[nameBytes.Length + 1] = Ed25519Type;
        publicKey.CopyTo(input.AsSpan(nameBytes.Length + 2));
        return BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(input));
    }

    /// <summary>Throws <see cref="FormatException"/> unless <paramref name="name"/> is a usable key name / origin.</summary>
    /// <remarks>Non-empty, at most 256 characters, printable ASCII without spaces or '+' (the separator of key strings).</remarks>
    public static void CheckName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > MaxNameLength || name.Any(c => c is <= ' ' or > '~' or '+'))
        {
            throw new FormatException("a log origin / key name must be 1-256 printable ASCII characters without spaces or '+'");
        }
    }

    /// <summary>The key id as 8 lowercase hex digits.</summary>
    public static string Hex(uint keyId) => keyId.ToString("x8", CultureInfo.InvariantCulture);
}
