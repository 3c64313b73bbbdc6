using System.Globalization;
using System.Text;

namespace Gateway.Dicom.Network.Interop.Tests.Support;

/// <summary>
/// Starts the real peers our SCU is proved against, each on a free loopback port with its own configuration in a test
/// directory: DCMTK's dcmqrscp (Q/R) and wlmscpfs (worklist), and Orthanc. Commands follow the peers' documented use.
/// </summary>
internal static class PeerServers
{
    /// <summary>The worklist item wlmscpfs serves: patient WLPAT001, accession ACC0001, one CT step for station CTSCANNER1.</summary>
    private const string WorklistItem = """
        (0008,0005) CS [ISO_IR 100]
        (0008,0050) SH [ACC0001]
        (0008,0090) PN [REFERRING^DOCTOR]
        (0008,1110) SQ
        (fffe,e0dd) -
        (0008,1120) SQ
        (fffe,e0dd) -
        (0010,0010) PN [WORKLIST^PATIENT]
        (0010,0020) LO [WLPAT001]
        (0010,0030) DA [19700101]
        (0010,0040) CS [F]
        (0020,000d) UI [2.25.1234567890123456789012345678901234567]
        (0032,1060) LO [CT CHEST]
        (0040,0100) SQ
        (fffe,e000) -
        (0008,0060) CS [CT]
        (0040,0001) AE [CTSCANNER1]
        (0040,0002) DA [20261128]
        (0040,0003) TM [090000]
        (0040,0006) PN [TECH^ONE]
        (0040,0007) LO [CT CHEST WITHOUT CONTRAST]
        (0040,0009) SH [SPS0001]
        (0040,0010) SH [CTROOM1]
        (fffe,e00d) -
        (fffe,e0dd) -
        (0040,1001) SH [RP0001]
        (0040,1003) SH [ROUTINE]
        """;

    /// <summary>
    /// Starts <c>dcmqrscp</c> (fork mode: its single-process mode crashes after each association) serving
    /// <paramref name="aeTitle"/> from an empty database under <paramref name="directory"/>, with
    /// <paramref name="peers"/> (AE title, port on 127.0.0.1) as its known move destinations.
    /// </summary>
    public static Task<BackgroundTool> StartDcmqrscpAsync(string directory, int port, string aeTitle, params (string AETitle, int Port)[] peers)
    {
        string database = Directory.CreateDirectory(Path.Combine(directory, "db")).FullName;
        var config = new StringBuilder();
        config.AppendLine(CultureInfo.InvariantCulture, $"NetworkTCPPort = {port}");
        config.AppendLine("MaxPDUSize = 16384");
        config.AppendLine("MaxAssociations = 16");
        config.AppendLine("HostTable BEGIN");
        for (int i = 0; i < peers.Length; i++)
        {
            config.AppendLine(CultureInfo.InvariantCulture, $"peer{i} = ({peers[i].AETitle}, 127.0.0.1, {peers[i].Port})");
        }

        config.AppendLine("HostTable END");
        config.AppendLine("VendorTable BEGIN");
        config.AppendLine("VendorTable END");
        config.AppendLine("AETable BEGIN");
        config.AppendLine(CultureInfo.InvariantCulture, $"{aeTitle} {database} RW (200, 1024mb) ANY");
        config.AppendLine("AETable END");
        string file = Path.Combine(directory, "dcmqrscp.cfg");
        File.WriteAllText(file, config.ToString());
        return BackgroundTool.StartAsync("dcmqrscp", port, "-c", file);
    }

    /// <summary>Starts <c>wlmscpfs</c> serving one worklist item (see <see cref="WorklistItem"/>) as <paramref name="aeTitle"/>.</summary>
    public static async Task<BackgroundTool> StartWlmscpfsAsync(string directory, int port, string aeTitle)
    {
        string items = Directory.CreateDirectory(Path.Combine(directory, aeTitle)).FullName;
        await File.WriteAllTextAsync(Path.Combine(items, "lockfile"), string.Empty);
        string dump = Path.Combine(directory, "item1.dump");
        await File.WriteAllTextAsync(dump, WorklistItem, Encoding.Latin1);
        (await ExternalTool.RunAsync("dump2dcm", "-q", "+te", dump, Path.Combine(items, "item1.wl"))).EnsureSuccess();
        return await BackgroundTool.StartAsync("wlmscpfs", port, "-s", "-dhl", "-dfp", directory, port.ToString(CultureInfo.InvariantCulture));
    }
}
