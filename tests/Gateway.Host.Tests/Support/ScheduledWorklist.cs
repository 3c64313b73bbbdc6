using System.Globalization;
using System.Text;
using Gateway.Dicom.Network.Interop.Tests.Support;

namespace Gateway.Host.Tests.Support;

/// <summary>
/// DCMTK's <c>wlmscpfs</c> as the RIS, serving worklist items written for one test: each a patient with one CT step
/// at a given local date and time (so that "scheduled within the lead time" holds whenever the test runs).
/// </summary>
internal static class ScheduledWorklist
{
    /// <summary>One worklist item.</summary>
    public sealed record Item(string PatientId, string StudyUid, DateTime ScheduledAtLocal, string Accession);

    /// <summary>Writes the items (with dump2dcm) and starts wlmscpfs as <paramref name="aeTitle"/> on <paramref name="port"/>.</summary>
    public static async Task<BackgroundTool> StartAsync(string directory, int port, string aeTitle, params Item[] items)
    {
        string folder = Directory.CreateDirectory(Path.Combine(directory, aeTitle)).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "lockfile"), string.Empty);
        for (int i = 0; i < items.Length; i++)
        {
            string dump = Path.Combine(directory, $"item{i}.dump");
            await File.WriteAllTextAsync(dump, Dump(items[i]), Encoding.Latin1);
            (await ExternalTool.RunAsync("dump2dcm", "-q", "+te", dump, Path.Combine(folder, $"item{i}.wl"))).EnsureSuccess();
        }

        return await BackgroundTool.StartAsync("wlmscpfs", port, "-s", "-dfp", directory, port.ToString(CultureInfo.InvariantCulture));
    }

    private static string Dump(Item item) => string.Join('\n',
        "(0008,0005) CS [ISO_IR 100]",
        $"(0008,0050) SH [{item.Accession}]",
        "(0008,1110) SQ",
        "(fffe,e0dd) -",
        "(0008,1120) SQ",
        "(fffe,e0dd) -",
        "(0010,0010) PN [SCHEDULED^PATIENT]",
        $"(0010,0020) LO [{item.PatientId}]",
        "(0010,0030) DA [19700101]",
        "(0010,0040) CS [O]",
        $"(0020,000d) UI [{item.StudyUid}]",
        "(0032,1060) LO [CT CHEST]",
        "(0040,0100) SQ",
        "(fffe,e000) -",
        "(0008,0060) CS [CT]",
        "(0040,0001) AE [CTSCANNER1]",
        $"(0040,0002) DA [{item.ScheduledAtLocal.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}]",
        $"(0040,0003) TM [{item.ScheduledAtLocal.ToString("HHmmss", CultureInfo.InvariantCulture)}]",
        "(0040,0007) LO [CT CHEST WITHOUT CONTRAST]",
        "(0040,0009) SH [SPS1]",
        "(fffe,e00d) -",
        "(fffe,e0dd) -",
        "(0040,1001) SH [RP1]",
        string.Empty);
}
