using System.Globalization;
using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Segmentation.Tests.Support;
using static Gateway.Segmentation.Tests.Support.SegmentedNetwork;

namespace Gateway.Segmentation.Tests;

/// <summary>
/// The protocol floor and cipher suites of the gateway's two TLS listeners, the clinical DIMSE leg and HTTPS, as a
/// clinical host sees them (openssl s_client from the PACS's namespace). The full scan is scripts/tls-scan.sh.
/// </summary>
[Collection(SegmentationCollection.Name)]
public sealed class TlsListenerTests(SegmentedNetwork network)
{
    [NetnsFact]
    public async Task Tls10And11Handshakes_AreRefused_Tls12And13Complete_OnBothListeners()
    {
        foreach (int port in new[] { ClinicalPort, HttpsPort })
        {
            // The client lowers its own security level, so that only the gateway can be the one refusing.
            ToolResult tls10 = await HandshakeAsync(port, "-tls1", "-cipher", "DEFAULT@SECLEVEL=0");
            ToolResult tls11 = await HandshakeAsync(port, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0");
            ToolResult tls12 = await HandshakeAsync(port, "-tls1_2");
            ToolResult tls13 = await HandshakeAsync(port, "-tls1_3");

            Assert.True(Refused(tls10) && tls10.Output.Contains("alert protocol version", StringComparison.Ordinal), $"port {port}: {tls10}");
            Assert.True(Refused(tls11) && tls11.Output.Contains("alert protocol version", StringComparison.Ordinal), $"port {port}: {tls11}");
            // "New, ..." is printed when the handshake completes; the session block after it can be missing in TLS 1.3
            // (s_client may quit before the server's post-handshake session ticket arrives).
            Assert.True(tls12.Output.Contains("New, TLSv1.2, Cipher is ECDHE-", StringComparison.Ordinal), $"port {port}: {tls12}");
            Assert.True(tls13.Output.Contains("New, TLSv1.3, Cipher is TLS_", StringComparison.Ordinal), $"port {port}: {tls13}");
        }
    }

    [NetnsFact]
    public async Task Tls12CbcSuites_AreRefused_AeadWithForwardSecrecyIsChosen_OnBothListeners()
    {
        foreach (int port in new[] { ClinicalPort, HttpsPort })
        {
            ToolResult cbc = await HandshakeAsync(port, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA");
            ToolResult preferred = await HandshakeAsync(port, "-tls1_2");

            Assert.True(Refused(cbc), $"port {port} accepted a CBC suite: {cbc}");
            Assert.True(preferred.Output.Contains("New, TLSv1.2, Cipher is ECDHE-ECDSA-AES256-GCM-SHA384", StringComparison.Ordinal), $"port {port}: {preferred}");
        }
    }

    // From the clinical network, with the workstation's certificate (the clinical leg asks for one).
    private Task<ToolResult> HandshakeAsync(int port, params string[] options) =>
        ExecAsync(
            network.Clinical,
            "openssl",
            ["s_client", "-connect", $"{ClinicalAddress}:{port.ToString(CultureInfo.InvariantCulture)}", "-CAfile", network.Pki.CaFile,
                "-cert", network.Pki.Workstation.Cert, "-key", network.Pki.Workstation.Key, .. options]);

    // s_client prints "Cipher is (NONE)" (or nothing negotiated at all) when the handshake did not complete.
    private static bool Refused(ToolResult handshake) =>
        handshake.Output.Contains("Cipher is (NONE)", StringComparison.Ordinal) || !handshake.Output.Contains("Cipher is ", StringComparison.Ordinal);
}
