namespace Gateway.Dicom.Model;

/// <summary>A data element with a value held in memory, in little-endian byte order whatever the source.</summary>
/// <remarks>Values are decoded on access (<see cref="DicomValue"/>); the bytes are kept exactly as read.</remarks>
public sealed class DicomElement : DicomItem
{
    /// <summary>Creates an element; <paramref name="value"/> is little endian and is not copied.</summary>
    public DicomElement(DicomTag tag, DicomVR vr, ReadOnlyMemory<byte> value)
        : base(tag, vr)
    {
        if (vr == DicomVR.SQ)
        {
            throw new ArgumentException("A sequence is a DicomSequence, not an element.", nameof(vr));
        }

        Value = value;
    }

    /// <summary>The raw value, little endian, including any padding byte.</summary>
    public ReadOnlyMemory<byte> Value { get; }

    /// <summary>The value length in bytes.</summary>
    public int Length => Value.Length;
}
