using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Gateway.Dicom.IO;

/// <summary>Byte swapping of values between little and big endian, unit by unit.</summary>
public static class DicomByteOrder
{
    /// <summary>Reverses each <paramref name="unit"/>-byte unit of <paramref name="data"/> in place (1 leaves it unchanged).</summary>
    /// <exception cref="ArgumentException">The length is not a multiple of the unit.</exception>
    public static void Swap(Span<byte> data, int unit)
    {
        switch (unit)
        {
            case 1:
                return;
            case 2:
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ushort>(data[..(data.Length & ~1)]), MemoryMarshal.Cast<byte, ushort>(data[..(data.Length & ~1)]));
                return;
            case 4:
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, uint>(data[..(data.Length & ~3)]), MemoryMarshal.Cast<byte, uint>(data[..(data.Length & ~3)]));
                return;
            case 8:
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ulong>(data[..(data.Length & ~7)]), MemoryMarshal.Cast<byte, ulong>(data[..(data.Length & ~7)]));
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(unit));
        }
    }
}
