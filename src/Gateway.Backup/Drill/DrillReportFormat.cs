using System.Globalization;
using System.Text;
using System.Text.Json;
using Gateway.Backup.Manifest;

namespace Gateway.Backup.Drill;

/// <summary>The drill report's files: <c>report.json</c> (signed, exact bytes) and <c>report.md</c> (for people).</summary>
public static class DrillReportFormat
{
    /// <summary>The largest report read back.</summary>
    public const int MaxReportBytes = 4 * 1024 * 1024;

    private const int MaxItems = 10_000;

    /// <summary>The JSON document.</summary>
    public static byte[] ToJson(DrillReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("format", "gateway-backup-drill/1");
            json.WriteString("id", report.Id);
            json.WriteString("snapshot", report.SnapshotId);
            json.WriteString("snapshotCreatedAt", ManifestSerializer.Time(report.SnapshotCreatedAt));
            json.WriteString("startedAt", ManifestSerializer.Time(report.StartedAt));
            json.WriteNumber("rtoSeconds", Math.Round(report.Rto.TotalSeconds, 3));
            json.WriteNumber("rpoSeconds", Math.Round(report.Rpo.TotalSeconds, 3));
            json.WriteNumber("rtoTargetSeconds", report.RtoTarget.TotalSeconds);
            json.WriteNumber("rpoTargetSeconds", report.RpoTarget.TotalSeconds);
            json.WriteBoolean("passed", report.Passed);
            json.WriteStartArray("sample");
            foreach (string uid in report.Sample)
            {
                json.WriteStringValue(uid);
            }

            json.WriteEndArray();
            json.WriteStartArray("checks");
            foreach (DrillCheck check in report.Checks)
            {
                json.WriteStartObject();
                json.WriteString("name", check.Name);
                json.WriteBoolean("passed", check.Passed);
                json.WriteString("detail", check.Detail);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The readable page.</summary>
    public static string ToMarkdown(DrillReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"# Restore drill {report.Id}: {(report.Passed ? "PASSED" : "FAILED")}\n\n");
        md.Append(CultureInfo.InvariantCulture, $"| | |\n|---|---|\n| snapshot | {report.SnapshotId} (taken {ManifestSerializer.Time(report.SnapshotCreatedAt)}) |\n");
        md.Append(CultureInfo.InvariantCulture, $"| started | {ManifestSerializer.Time(report.StartedAt)} |\n");
        md.Append(CultureInfo.InvariantCulture, $"| RTO (restore start to serving) | {report.Rto.TotalSeconds:0.000} s, target {report.RtoTarget.TotalSeconds:0} s |\n");
        md.Append(CultureInfo.InvariantCulture, $"| RPO (snapshot age) | {report.Rpo.TotalSeconds:0} s, target {report.RpoTarget.TotalSeconds:0} s |\n");
        md.Append(CultureInfo.InvariantCulture, $"| sample | {report.Sample.Count} stud{(report.Sample.Count == 1 ? "y" : "ies")} |\n\n");
        md.Append("## Checks\n\n| check | result | detail |\n|---|---|---|\n");
        foreach (DrillCheck c in report.Checks)
        {
            md.Append(CultureInfo.InvariantCulture, $"| {c.Name} | {(c.Passed ? "pass" : "FAIL")} | {c.Detail.Replace('|', '/')} |\n");
        }

        md.Append("\nThe JSON beside this page is signed (report.sig, Ed25519 signed note); this page is a rendering of it.\n");
        return md.ToString();
    }

    /// <summary>Reads the summary of a stored report (id, snapshot, times, RTO/RPO, pass) for the history.</summary>
    /// <exception cref="SnapshotIntegrityException">The report is too large or malformed.</exception>
    public static DrillReport Parse(byte[] json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json.Length > MaxReportBytes)
        {
            throw new SnapshotIntegrityException("drill report is too large");
        }

        try
        {
            using JsonDocument doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 4 });
            JsonElement r = doc.RootElement;
            if (r.GetProperty("format").GetString() != "gateway-backup-drill/1")
            {
                throw new SnapshotIntegrityException("not a drill report");
            }

            JsonElement checks = r.GetProperty("checks");
            JsonElement sample = r.GetProperty("sample");
            if (checks.GetArrayLength() > MaxItems || sample.GetArrayLength() > MaxItems)
            {
                throw new SnapshotIntegrityException("drill report lists too many items");
            }

            return new DrillReport
            {
                Id = r.GetProperty("id").GetString()!,
                SnapshotId = r.GetProperty("snapshot").GetString()!,
                SnapshotCreatedAt = DateTimeOffset.Parse(r.GetProperty("snapshotCreatedAt").GetString()!, CultureInfo.InvariantCulture),
                StartedAt = DateTimeOffset.Parse(r.GetProperty("startedAt").GetString()!, CultureInfo.InvariantCulture),
                Rto = TimeSpan.FromSeconds(r.GetProperty("rtoSeconds").GetDouble()),
                Rpo = TimeSpan.FromSeconds(r.GetProperty("rpoSeconds").GetDouble()),
                RtoTarget = TimeSpan.FromSeconds(r.GetProperty("rtoTargetSeconds").GetDouble()),
                RpoTarget = TimeSpan.FromSeconds(r.GetProperty("rpoTargetSeconds").GetDouble()),
                Sample = [.. sample.EnumerateArray().Select(e => e.GetString()!)],
                Checks = [.. checks.EnumerateArray().Select(c => new DrillCheck(c.GetProperty("name").GetString()!, c.GetProperty("passed").GetBoolean(), c.GetProperty("detail").GetString()!))],
            };
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new SnapshotIntegrityException("drill report is malformed", ex);
        }
    }
}
