using System.Buffers;
using System.Text.Json;

namespace Gateway.Audit.Records;

/// <summary>The canonical JSON encoding of a record (UTF-8; property order as declared; nulls omitted).</summary>
/// <remarks>
/// The encoding is deterministic for a given record: an export bundle re-encodes each decrypted record and compares it
/// with the exported text, byte for byte.
/// </remarks>
public static class AuditRecordSerializer
{
    /// <summary>Encodes <paramref name="record"/> (event time normalized to UTC milliseconds).</summary>
    public static byte[] Serialize(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var buffer = new ArrayBufferWriter<byte>(2048);
        using Utf8JsonWriter writer = CreateWriter(buffer);
        SerializeTo(writer, Normalize(record));
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A writer for <see cref="SerializeTo"/> (the one encoding every caller shares, so the bytes are the same everywhere).</summary>
    internal static Utf8JsonWriter CreateWriter(IBufferWriter<byte> output) =>
        new(output, new JsonWriterOptions { MaxDepth = AuditRecordJsonContext.Default.Options.MaxDepth, SkipValidation = true });

    /// <summary>Writes the canonical JSON of an already normalized record and flushes the writer.</summary>
    internal static void SerializeTo(Utf8JsonWriter writer, AuditRecord normalized)
    {
        JsonSerializer.Serialize(writer, normalized, AuditRecordJsonContext.Default.AuditRecord);
        writer.Flush();
    }

    /// <summary>Decodes a record and validates it.</summary>
    /// <exception cref="FormatException">Not a valid record (malformed JSON, unknown members, or failed validation).</exception>
    public static AuditRecord Deserialize(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.Length > AuditRecordLimits.MaxSerializedBytes)
        {
            throw new FormatException($"record longer than {AuditRecordLimits.MaxSerializedBytes} bytes");
        }

        AuditRecord? record;
        try
        {
            record = JsonSerializer.Deserialize(utf8Json, AuditRecordJsonContext.Default.AuditRecord);
        }
        catch (JsonException ex)
        {
            throw new FormatException("malformed audit record: " + ex.Message, ex);
        }

        if (record is null)
        {
            throw new FormatException("malformed audit record: null");
        }

        string? problem = AuditRecordValidator.FindProblem(record);
        return problem is null ? record : throw new FormatException("invalid audit record: " + problem);
    }

    /// <summary>The record as stored: event time in UTC, truncated to milliseconds.</summary>
    public static AuditRecord Normalize(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        long ms = record.EventTime.ToUnixTimeMilliseconds();
        DateTimeOffset utc = DateTimeOffset.FromUnixTimeMilliseconds(ms);
        return record.EventTime == utc && record.EventTime.Offset == TimeSpan.Zero ? record : record with { EventTime = utc };
    }
}
