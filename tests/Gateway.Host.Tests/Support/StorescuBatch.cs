using System.Globalization;
using Gateway.Dicom.Network.Interop.Tests.Support;

namespace Gateway.Host.Tests.Support;

/// <summary>
/// One <c>storescu -v</c> run over a list of files on one association, as a modality sends a study, and what it saw:
/// the C-STORE response status of each file it got one for. A file without a response (the association broke first)
/// was not acknowledged, and a modality sends it again.
/// </summary>
internal sealed record StorescuBatch(ToolResult Tool, IReadOnlyDictionary<string, string> Responses)
{
    private const string SendingFile = "I: Sending file: ";
    private const string ReceivedResponse = "I: Received Store Response (";

    /// <summary>True when the gateway accepted the association.</summary>
    public bool Associated => Tool.StandardError.Contains("I: Association Accepted", StringComparison.Ordinal);

    /// <summary>The files answered with Success.</summary>
    public IReadOnlyList<string> Acknowledged => [.. Responses.Where(r => r.Value == "Success").Select(r => r.Key)];

    /// <summary>
    /// Runs <c>storescu -v -aet CALLING -aec CALLED [-nh] 127.0.0.1 PORT FILES...</c>. Without <paramref name="noHalt"/>
    /// storescu stops at the first response that is not Success, as DCMTK does by default.
    /// </summary>
    public static async Task<StorescuBatch> SendAsync(int port, IReadOnlyList<string> files, bool noHalt = false, string callingAE = "MODALITY", string calledAE = GatewayProcess.AETitle)
    {
        var arguments = new List<string> { "-v", "-aet", callingAE, "-aec", calledAE };
        if (noHalt)
        {
            arguments.Add("-nh");
        }

        arguments.AddRange(["127.0.0.1", port.ToString(CultureInfo.InvariantCulture), .. files]);
        ToolResult tool = await ExternalTool.RunAsync("storescu", [.. arguments]);
        return new StorescuBatch(tool, Parse(tool.StandardError));
    }

    /// <summary>
    /// Reads storescu's verbose log (stderr): each <c>I: Sending file: PATH</c> is followed, when the peer answered, by
    /// <c>I: Received Store Response (STATUS)</c>.
    /// </summary>
    internal static IReadOnlyDictionary<string, string> Parse(string log)
    {
        var responses = new Dictionary<string, string>(StringComparer.Ordinal);
        string? current = null;
        foreach (string line in log.Split('\n'))
        {
            string text = line.TrimEnd('\r');
            if (text.StartsWith(SendingFile, StringComparison.Ordinal))
            {
                current = text[SendingFile.Length..];
            }
            else if (text.StartsWith(ReceivedResponse, StringComparison.Ordinal) && text.EndsWith(')') && current is not null)
            {
                responses[current] = text[ReceivedResponse.Length..^1];
                current = null;
            }
        }

        return responses;
    }
}
