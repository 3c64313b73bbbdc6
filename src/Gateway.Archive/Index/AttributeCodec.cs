using System.Text.Json;

namespace Gateway.Archive.Index;

/// <summary>The plaintext inside attribute blobs: a flat JSON object of the non-empty attributes (never written to disk as such).</summary>
internal static class AttributeCodec
{
    public static byte[] Encode(StudyAttributes a) => Encode(
    [
        ("PatientName", a.PatientName), ("PatientID", a.PatientId), ("IssuerOfPatientID", a.IssuerOfPatientId),
        ("PatientBirthDate", a.PatientBirthDate), ("PatientSex", a.PatientSex), ("AccessionNumber", a.AccessionNumber),
        ("StudyDescription", a.StudyDescription), ("ReferringPhysicianName", a.ReferringPhysicianName), ("StudyID", a.StudyId),
    ]);

    public static byte[] Encode(SeriesAttributes a) => Encode([("SeriesDescription", a.SeriesDescription)]);

    public static StudyAttributes DecodeStudy(byte[] json)
    {
        Dictionary<string, string> v = Decode(json);
        return new StudyAttributes
        {
            PatientName = v.GetValueOrDefault("PatientName"),
            PatientId = v.GetValueOrDefault("PatientID"),
            IssuerOfPatientId = v.GetValueOrDefault("IssuerOfPatientID"),
            PatientBirthDate = v.GetValueOrDefault("PatientBirthDate"),
            PatientSex = v.GetValueOrDefault("PatientSex"),
            AccessionNumber = v.GetValueOrDefault("AccessionNumber"),
            StudyDescription = v.GetValueOrDefault("StudyDescription"),
            ReferringPhysicianName = v.GetValueOrDefault("ReferringPhysicianName"),
            StudyId = v.GetValueOrDefault("StudyID"),
        };
    }

    public static SeriesAttributes DecodeSeries(byte[] json) =>
        new() { SeriesDescription = Decode(json).GetValueOrDefault("SeriesDescription") };

    private static byte[] Encode(ReadOnlySpan<(string Name, string? Value)> values)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach ((string name, string? value) in values)
            {
                if (value is not null)
                {
                    writer.WriteString(name, value);
                }
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static Dictionary<string, string> Decode(byte[] json)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(json);
            foreach (JsonProperty p in document.RootElement.EnumerateObject())
            {
                if (p.Value.ValueKind == JsonValueKind.String)
                {
                    values[p.Name] = p.Value.GetString()!;
                }
            }
        }
        catch (JsonException ex)
        {
            throw new ArchiveIntegrityException("an encrypted index attribute holds malformed content", ex);
        }

        return values;
    }
}
