using System.Buffers.Binary;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Gateway.Dicom.IO;

namespace Gateway.Dicom.Benchmarks;

/// <summary>
/// Stream-copy: re-encode the 0.5 MB CT (explicit VR LE, read from memory) into <see cref="Stream.Null"/> with
/// <see cref="DicomTranscoder"/>, as <c>gatewayctl dicom convert</c> does. Almost all bytes (99.8 %) are pixel data.
/// </summary>
[Config(typeof(ThroughputConfig))]
[MemoryDiagnoser]
public class TranscodeBenchmarks
{
    private byte[] _file = [];
    private byte[] _target = [];

    /// <summary>Builds the CT in memory.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _file = CtImage.File;
        _target = new byte[_file.Length];
    }

    /// <summary>Ceiling: one memcpy of the whole file into a preallocated array, no parsing.</summary>
    [Benchmark]
    public void MemcpyCeiling() => Buffer.BlockCopy(_file, 0, _target, 0, _file.Length);

    /// <summary>Ceiling for the byte-swapping leg: one vectorised 16-bit swap of the pixel value into a preallocated array.</summary>
    [Benchmark]
    public void SwapCeiling()
    {
        int start = _file.Length - CtImage.PixelBytes;
        BinaryPrimitives.ReverseEndianness(
            MemoryMarshal.Cast<byte, ushort>(_file.AsSpan(start)),
            MemoryMarshal.Cast<byte, ushort>(_target.AsSpan(start)));
    }

    /// <summary>
    /// Explicit VR LE to <paramref name="target"/>: ExplicitLE (1.2.840.10008.1.2.1, plain copy), ImplicitLE
    /// (1.2.840.10008.1.2), ExplicitBE (1.2.840.10008.1.2.2, every OW word swapped), DeflatedLE (1.2.840.10008.1.2.1.99).
    /// </summary>
    [Benchmark]
    [Arguments("ExplicitLE")]
    [Arguments("ImplicitLE")]
    [Arguments("ExplicitBE")]
    [Arguments("DeflatedLE")]
    public async Task Transcode(string target)
    {
        DicomTransferSyntax syntax = target switch
        {
            "ExplicitLE" => DicomTransferSyntax.ExplicitVRLittleEndian,
            "ImplicitLE" => DicomTransferSyntax.ImplicitVRLittleEndian,
            "ExplicitBE" => DicomTransferSyntax.ExplicitVRBigEndian,
            _ => DicomTransferSyntax.DeflatedExplicitVRLittleEndian,
        };
        await using DicomFileReader file = await DicomFileReader.OpenAsync(new MemoryStream(_file, writable: false));
        await DicomTranscoder.TranscodeAsync(file, Stream.Null, syntax);
    }
}
