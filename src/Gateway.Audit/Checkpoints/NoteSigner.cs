using System.Buffers.Binary;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Gateway.Audit.Checkpoints;

/// <summary>Signs note texts with an Ed25519 key, producing C2SP signed notes.</summary>
/// <remarks>
/// The private key file holds one line <c>PRIVATE+KEY+&lt;name&gt;+&lt;key id hex&gt;+&lt;base64(0x01 || 32-byte seed)&gt;</c>
/// (the encoding of golang.org/x/mod/sumdb/note).
/// </remarks>
public sealed class NoteSigner
{
    private const string PrivatePrefix = "PRIVATE+KEY+";
    private readonly Ed25519PrivateKeyParameters _key;

    private NoteSigner(string name, Ed25519PrivateKeyParameters key)
    {
        NoteKeys.CheckName(name);
        Name = name;
        _key = key;
        PublicKey = key.GeneratePublicKey().GetEncoded();
        KeyId = NoteKeys.KeyId(name, PublicKey);
    }

    /// <summary>The key name (the log's origin).</summary>
    public string Name { get; }

    /// <summary>The 32-byte Ed25519 public key.</summary>
    public byte[] PublicKey { get; }

    /// <summary>The C2SP key id.</summary>
    public uint KeyId { get; }

    /// <summary>The verifier key that checks this signer's notes.</summary>
    public NoteVerifier Verifier => new(Name, PublicKey);

    /// <summary>A new random key.</summary>
    public static NoteSigner Generate(string name)
    {
        var key = new Ed25519PrivateKeyParameters(new Org.BouncyCastle.Security.SecureRandom());
        return new NoteSigner(name, key);
    }

    /// <summary>Parses the private key encoding (see remarks on the type).</summary>
    /// <exception cref="FormatException">Not a private key of this format, or its key id does not match.</exception>
    public static NoteSigner Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        if (!text.StartsWith(PrivatePrefix, StringComparison.Ordinal))
        {
            throw new FormatException("not an Ed25519 note private key (PRIVATE+KEY+name+id+key)");
        }

        string[] parts = text[PrivatePrefix.Length..].Split('+', 3);
        if (parts.Length != 3)
        {
            throw new FormatException("malformed note private key");
        }

        byte[] keyBytes;
        try
        {
            keyBytes = Convert.FromBase64String(parts[2]);
        }
        catch (FormatException ex)
        {
            throw new FormatException("malformed note private key: key is not base64", ex);
        }

        if (keyBytes.Length != 33 || keyBytes[0] != NoteKeys.Ed25519Type)
        {
            throw new FormatException("note private key is not an Ed25519 key");
        }

        var signer = new NoteSigner(parts[0], new Ed25519PrivateKeyParameters(keyBytes, 1));
        if (NoteKeys.Hex(signer.KeyId) != parts[1])
        {
            throw new FormatException("note private key id does not match the key");
        }

        return signer;
    }

    /// <summary>The private key encoding (secret: store with owner-only permissions).</summary>
    public string Encode()
    {
        byte[] keyBytes = new byte[33];
        keyBytes[0] = NoteKeys.Ed25519Type;
        _key.Encode(keyBytes, 1);
        return PrivatePrefix + Name + "+" + NoteKeys.Hex(KeyId) + "+" + Convert.ToBase64String(keyBytes);
    }

    /// <summary>Signs <paramref name="text"/> (which must end with a newline): text, a blank line, one signature line.</summary>
    public string Sign(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        SignedNote.CheckText(text);
        byte[] message = Encoding.UTF8.GetBytes(text);
        var signer = new Ed25519Signer();
        signer.Init(true, _key);
        signer.BlockUpdate(message, 0, message.Length);
        byte[] signature = signer.GenerateSignature();
        byte[] keyIdAndSignature = new byte[4 + signature.Length];
        BinaryPrimitives.WriteUInt32BigEndian(keyIdAndSignature, KeyId);
        signature.CopyTo(keyIdAndSignature, 4);
        return text + "\n" + SignedNote.SignaturePrefix + Name + " " + Convert.ToBase64String(keyIdAndSignature) + "\n";
    }
}
