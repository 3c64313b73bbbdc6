using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Gateway.Policy.Loading;
using Gateway.Policy.Model;

namespace Gateway.Policy.Analysis;

/// <summary>
/// Reads recorded requests: one JSON object per line (format in policies/README.md). Blank lines and lines starting
/// with <c>#</c> are skipped; unknown fields are ignored (later writers, such as the audit log, may add some); a bad
/// line becomes one error with its line number and reading goes on.
/// </summary>
public static class RecordedRequestReader
{
    /// <summary>The longest line read (default 64 KiB); a longer one is an error and skipped.</summary>
    public const int MaxLineLength = 64 * 1024;

    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 8 };

    /// <summary>Reads every line; errors are added to <paramref name="errors"/> (at most <paramref name="maxErrors"/>).</summary>
    public static IEnumerable<RecordedRequest> Read(TextReader reader, string fileName, List<PolicyDiagnostic> errors, int maxErrors = 100)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(errors);
        int lineNumber = 0;
        var line = new StringBuilder();
        while (true)
        {
            bool tooLong = !ReadLine(reader, line, out bool end);
            if (end && line.Length == 0 && !tooLong)
            {
                yield break;
            }

            lineNumber++;
            var location = new SourceLocation(fileName, lineNumber, 1);
            if (tooLong)
            {
                Add(errors, maxErrors, PolicyDiagnostic.Error("recorded-line-too-long", $"the line is longer than {MaxLineLength} characters", location));
            }
            else
            {
                string text = line.ToString().Trim();
                if (text.Length > 0 && !text.StartsWith('#'))
                {
                    RecordedRequest? record = Parse(text, lineNumber, out string? error);
                    if (record is not null)
                    {
                        yield return record;
                    }
                    else
                    {
                        Add(errors, maxErrors, PolicyDiagnostic.Error("recorded-request", error!, location));
                    }
                }
            }

            if (end)
            {
                yield break;
            }
        }
    }

    /// <summary>Parses one line; null with an error message when it is not a valid record.</summary>
    public static RecordedRequest? Parse(string line, int lineNumber, out string? error)
    {
        ArgumentNullException.ThrowIfNull(line);
        try
        {
            using JsonDocument document = JsonDocument.Parse(line, JsonOptions);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "each line must be one JSON object";
                return null;
            }

            return ParseObject(root, lineNumber, out error);
        }
        catch (JsonException ex)
        {
            error = "not valid JSON: " + ex.Message;
            return null;
        }
    }

    private static RecordedRequest? ParseObject(JsonElement root, int lineNumber, out string? error)
    {
        error = null;
        string? timeText = String(root, "time", ref error);
        string? operationText = String(root, "operation", ref error);
        if (error is not null)
        {
            return null;
        }

        if (timeText is null || !DateTimeOffset.TryParse(timeText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at))
        {
            error = timeText is null ? "'time' is required" : $"'time' must be an ISO 8601 date and time, not '{timeText}'";
            return null;
        }

        if (operationText is null || !PolicyOperations.TryParse(operationText, out PolicyOperation operation))
        {
            error = operationText is null ? "'operation' is required" : $"unknown operation '{operationText}'";
            return null;
        }

        PolicyProtocol protocol = PolicyOperations.ProtocolOf(operation);
        if (String(root, "protocol", ref error) is { } protocolText)
        {
            PolicyProtocol? parsed = protocolText switch
            {
                "dimse" => PolicyProtocol.Dimse,
                "dicomweb" => PolicyProtocol.DicomWeb,
                "admin" => PolicyProtocol.Admin,
                _ => null,
            };
            if (parsed is null)
            {
                error = $"'protocol' must be dimse, dicomweb or admin, not '{protocolText}'";
                return null;
            }

            protocol = parsed.Value;
        }

        IPAddress? address = null;
        if (String(root, "address", ref error) is { } addressText && !IpNetwork.TryParseAddress(addressText, out address))
        {
            error = $"'address' must be an IP address, not '{addressText}'";
            return null;
        }

        long? size = null;
        if (root.TryGetProperty("size", out JsonElement sizeElement))
        {
            if (sizeElement.ValueKind != JsonValueKind.Number || !sizeElement.TryGetInt64(out long s) || s < 0)
            {
                error = "'size' must be a whole number of bytes";
                return null;
            }

            size = s;
        }

        List<string>? roles = Strings(root, "roles", ref error);
        PolicyCertificate? certificate = null;
        if (root.TryGetProperty("certificate", out JsonElement cert) && cert.ValueKind != JsonValueKind.Null)
        {
            if (cert.ValueKind != JsonValueKind.Object)
            {
                error = "'certificate' must be an object";
                return null;
            }

            certificate = new PolicyCertificate(String(cert, "subject", ref error), String(cert, "issuer", ref error), Strings(cert, "san", ref error), String(cert, "sha256", ref error));
        }

        var request = new PolicyRequest
        {
            Protocol = protocol,
            Operation = operation,
            At = at,
            CallingAE = String(root, "calling-ae", ref error),
            CalledAE = String(root, "called-ae", ref error),
            Service = String(root, "service", ref error),
            RemoteAddress = address,
            ClientId = String(root, "client", ref error),
            UserId = String(root, "user", ref error),
            Roles = roles,
            SopClassUid = String(root, "sop-class", ref error),
            MoveDestination = String(root, "move-destination", ref error),
            ObjectSize = size,
            Certificate = certificate,
        };

        PolicyOutcome? outcome = null;
        if (String(root, "decision", ref error) is { } decision)
        {
            outcome = decision switch
            {
                "allow" => PolicyOutcome.Allow,
                "deny" => PolicyOutcome.Deny,
                "would-deny" => PolicyOutcome.WouldDeny,
                _ => null,
            };
            if (outcome is null)
            {
                error = $"'decision' must be allow, deny or would-deny, not '{decision}'";
            }
        }

        string? rule = String(root, "rule", ref error);
        PolicyReason? reason = String(root, "reason", ref error) is { } code && PolicyReasons.TryParse(code, out PolicyReason r) ? r : null;
        return error is null ? new RecordedRequest(lineNumber, request, outcome, rule, reason) : null;
    }

    private static string? String(JsonElement element, string name, ref string? error)
    {
        if (!element.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            error ??= $"'{name}' must be a string";
            return null;
        }

        return value.GetString();
    }

    private static List<string>? Strings(JsonElement element, string name, ref string? error)
    {
        if (!element.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
        {
            error ??= $"'{name}' must be a list of strings";
            return null;
        }

        return [.. value.EnumerateArray().Select(v => v.GetString()!)];
    }

    private static void Add(List<PolicyDiagnostic> errors, int max, PolicyDiagnostic error)
    {
        if (errors.Count < max)
        {
            errors.Add(error);
        }
        else if (errors.Count == max)
        {
            errors.Add(PolicyDiagnostic.Error("limit-errors", "further errors are not shown", null));
        }
    }

    // Reads one line into 'line' (without its terminator); false when it was longer than the limit (the rest is skipped).
    private static bool ReadLine(TextReader reader, StringBuilder line, out bool end)
    {
        line.Clear();
        bool fits = true;
        while (true)
        {
            int c = reader.Read();
            if (c < 0)
            {
                end = true;
                return fits;
            }

            if (c == '\n')
            {
                end = false;
                return fits;
            }

            if (fits)
            {
                if (line.Length >= MaxLineLength)
                {
                    fits = false;
                    line.Clear();
                }
                else if (c != '\r')
                {
                    line.Append((char)c);
                }
            }
        }
    }
}
