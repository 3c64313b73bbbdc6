using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Gateway.Audit.Checkpoints;

/// <summary>An Ed25519 verifier key of C2SP signed notes.</summary>
/// <remarks>Encoded as one line <c>&lt;name&gt;+&lt;key id hex&gt;+&lt;base64(0x01 || 32-byte public key)&gt;</c>.</remarks>
public sealed class NoteVerifier
{
    private readonly Ed25519PublicKeyParameters _key;

    /// <summary>A verifier for <paramref name="publicKey"/> under <paramref name="name"/>.</summary>
    public NoteVerifier(string name, byte[] publicKey)
    {
        NoteKeys.CheckName(name);
        ArgumentNullException.ThrowIfNull(publicKey);
        if (publicKey.Length != 32)
        {
            throw new ArgumentException("an Ed25519 public key is 32 bytes", nameof(publicKey));
        }

        Name = name;
        PublicKey = (byte[])publicKey.Clone();
        _key = new Ed25519PublicKeyParameters(PublicKey);
        KeyId = NoteKeys.KeyId(name, PublicKey);
    }

    /// <summary>The key name.</summary>
    public string Name { get; }

    /// <summary>The 32-byte public key.</summary>
    public byte[] PublicKey { get; }

    /// <summary>The C2SP key id.</summary>
    public uint KeyId { get; }

    /// <summary>Parses the verifier key encoding.</summary>
    /// <exception cref="FormatException">Not a verifier key of this format, or the id does not match.</exception>
    public static NoteVerifier Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Trim().Split('+', 3);
        if (parts.Length != 3)
        {
            throw new FormatException("not a note verifier key (name+id+key)");
        }

        byte[] keyBytes;
        try
        {
            keyBytes = Convert.FromBase64String(parts[2]);
        }
        catch (FormatException ex)
        {
            throw new FormatException("malformed note verifier key: key is not base64", ex);
        }

        if (keyBytes.Length != 33 || keyBytes[0] != NoteKeys.Ed25519Type)
        {
            throw new FormatException("note verifier key is not an Ed25519 key");
        }

        NoteVerifier verifier;
        try
        {
            verifier = new NoteVerifier(parts[0], keyBytes[1..]);
        }
        catch (ArgumentException ex)
        {
            // A name the note format does not allow, or 32 bytes that are no point on the curve (BouncyCastle's check).
            throw new FormatException("malformed note verifier key: " + ex.Message, ex);
        }

        if (NoteKeys.Hex(verifier.KeyId) != parts[1])
        {
            throw new FormatException("note verifier key id does not match the key");
        }

        return verifier;
    }

    /// <summary>The verifier key encoding (public).</summary>
    public string Encode()
    {
        byte[] keyBytes = new byte[33];
        keyBytes[0] = NoteKeys.Ed25519Type;
        PublicKey.CopyTo(keyBytes, 1);
        return Name + "+" + NoteKeys.Hex(KeyId) + "+" + Convert.ToBase64String(keyBytes);
    }

    /// <summary>Whether <paramref name="signature"/> is this key's Ed25519 signature of <paramref name="text"/>.</summary>
    public bool VerifySignature(string text, byte[] signature)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(signature);
        if (signature.Length != 64)
        {
            return false;
        }

        byte[] message = Encoding.UTF8.GetBytes(text);
        var verifier = new Ed25519Signer();
        verifier.Init(false, _key);
        verifier.BlockUpdate(message, 0, message.Length);
        return verifier.VerifySignature(signature);
    }
}
