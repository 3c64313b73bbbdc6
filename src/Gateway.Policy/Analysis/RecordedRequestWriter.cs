using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Gateway.Policy.Analysis;

/// <summary>Writes request facts in the recorded-requests format (one JSON object per line; see policies/README.md).</summary>
public static class RecordedRequestWriter
{
    /// <summary>One line (without the line break) for a request and, optionally, its decision.</summary>
    public static string ToJsonLine(in PolicyRequest request, PolicyDecision? decision = null)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            WriteRequest(json, request, decision);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Writes the request as one JSON object.</summary>
    public static void WriteRequest(Utf8JsonWriter json, in PolicyRequest request, PolicyDecision? decision = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject();
        json.WriteString("time", request.At.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", CultureInfo.InvariantCulture));
        json.WriteString("protocol", PolicyText.ProtocolName(request.Protocol));
        json.WriteString("operation", PolicyOperations.Name(request.Operation));
        Optional(json, "calling-ae", request.CallingAE);
        Optional(json, "called-ae", request.CalledAE);
        Optional(json, "service", request.Service);
        Optional(json, "address", request.RemoteAddress?.ToString());
        Optional(json, "client", request.ClientId);
        Optional(json, "user", request.UserId);
        if (request.Roles is { Count: > 0 } roles)
        {
            json.WriteStartArray("roles");
            foreach (string role in roles)
            {
                json.WriteStringValue(role);
            }

            json.WriteEndArray();
        }

        Optional(json, "sop-class", request.SopClassUid);
        Optional(json, "move-destination", request.MoveDestination);
        if (request.ObjectSize is { } size)
        {
            json.WriteNumber("size", size);
        }

        if (request.Certificate is { } certificate)
        {
            json.WriteStartObject("certificate");
            Optional(json, "subject", certificate.Subject);
            Optional(json, "issuer", certificate.Issuer);
            if (certificate.SubjectAlternativeNames.Count > 0)
            {
                json.WriteStartArray("san");
                foreach (string san in certificate.SubjectAlternativeNames)
                {
                    json.WriteStringValue(san);
                }

                json.WriteEndArray();
            }

            Optional(json, "sha256", certificate.Sha256Thumbprint);
            json.WriteEndObject();
        }

        if (decision is { } d)
        {
            json.WriteString("decision", PolicyDecision.OutcomeCode(d.Outcome));
            json.WriteString("reason", PolicyReasons.Code(d.Reason));
            Optional(json, "rule", d.Rule);
        }

        json.WriteEndObject();
    }

    private static void Optional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
