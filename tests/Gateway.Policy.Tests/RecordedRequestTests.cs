using System.Net;
using Gateway.Policy.Analysis;
using Gateway.Policy.Loading;
using static Gateway.Policy.Tests.Support.Requests;

namespace Gateway.Policy.Tests;

/// <summary>The recorded-requests format (JSON lines): reading, errors with line numbers, writing back.</summary>
public sealed class RecordedRequestTests
{
    [Fact]
    public void Read_ValidLines_GivesTheFacts()
    {
        const string Text = """
            # recorded on the VLAN leg
            {"time":"2025-03-04T10:00:00Z","operation":"store","calling-ae":"CT01","called-ae":"GW_PACS","address":"10.1.0.11","sop-class":"1.2.840.10008.5.1.4.1.1.2","size":1024,"decision":"allow","rule":"flow:ct-store","reason":"allowed","association-id":"ignored"}

            {"time":"2025-03-04T11:00:00+01:00","protocol":"dicomweb","operation":"stow","service":"web","client":"ai-app","user":"u","roles":["a","b"],"certificate":{"subject":"CN=x","issuer":"CN=ca","san":["x.example.org"],"sha256":"aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99"},"decision":"would-deny","reason":"address-mismatch"}
            """;
        var errors = new List<PolicyDiagnostic>();

        RecordedRequest[] records = [.. RecordedRequestReader.Read(new StringReader(Text), "r.jsonl", errors)];

        Assert.Empty(errors);
        Assert.Equal(2, records.Length);
        (int line, PolicyRequest r, PolicyOutcome? outcome, string? rule, PolicyReason? reason) = records[0];
        Assert.Equal((2, PolicyProtocol.Dimse, PolicyOperation.Store, "CT01", "GW_PACS", IPAddress.Parse("10.1.0.11"), CT, 1024L), (line, r.Protocol, r.Operation, r.CallingAE, r.CalledAE, r.RemoteAddress, r.SopClassUid, r.ObjectSize));
        Assert.Equal((PolicyOutcome.Allow, "flow:ct-store", PolicyReason.Allowed), (outcome, rule, reason));
        PolicyRequest web = records[1].Request;
        Assert.Equal((4, "ai-app", "u", new DateTimeOffset(2025, 3, 4, 10, 0, 0, TimeSpan.Zero)), (records[1].Line, web.ClientId, web.UserId, web.At));
        Assert.Equal(["a", "b"], web.Roles!);
        Assert.Equal(("CN=x", "DNS:x.example.org", "AABBCCDDEEFF00112233445566778899AABBCCDDEEFF00112233445566778899"), (web.Certificate!.Subject, web.Certificate.SubjectAlternativeNames[0], web.Certificate.Sha256Thumbprint));
        Assert.Equal((PolicyOutcome.WouldDeny, PolicyReason.AddressMismatch), (records[1].RecordedOutcome, records[1].RecordedReason));
    }

    public static TheoryData<string, string> BadLines => new()
    {
        { "not json", "not valid JSON" },
        { "[1, 2]", "each line must be one JSON object" },
        { """{"operation":"store"}""", "'time' is required" },
        { """{"time":"yesterday","operation":"store"}""", "'time' must be an ISO 8601 date and time, not 'yesterday'" },
        { """{"time":"2025-03-04T10:00:00Z"}""", "'operation' is required" },
        { """{"time":"2025-03-04T10:00:00Z","operation":"fly"}""", "unknown operation 'fly'" },
        { """{"time":"2025-03-04T10:00:00Z","operation":"echo","protocol":"smtp"}""", "'protocol' must be dimse, dicomweb or admin, not 'smtp'" },
        { """{"time":"2025-03-04T10:00:00Z","operation":"echo","address":"10.1"}""", "'address' must be an IP address" },
        { """{"time":"2025-03-04T10:00:00Z","operation":"store","size":-1}""", "'size' must be a whole number of bytes" },
        { """{"time":"2025-03-04T10:00:00Z","operation":"store","size":"big"}""", "'size' must be a whole number of bytes" },
        { """{"time":"2025-03-04T10:00:00Z","operation":"qido","roles":"clinician"}""", "'roles' must be a list of strings" },
        { """{"time":"2025-03-04T10:00:00Z","operation":"echo","calling-ae":42}""", "'calling-ae' must be a string" },
        { """{"time":"2025-03-04T10:00:00Z","operation":"echo","decision":"maybe"}""", "'decision' must be allow, deny or would-deny, not 'maybe'" },
        { """{"time":"2025-03-04T10:00:00Z","operation":"echo","certificate":"CN=x"}""", "'certificate' must be an object" },
        { """{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":1}}}}}}}}}""", "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(BadLines))]
    public void Read_BadLine_IsAnErrorWithItsLineNumberAndReadingGoesOn(string line, string message)
    {
        var errors = new List<PolicyDiagnostic>();
        string text = """{"time":"2025-03-04T10:00:00Z","operation":"echo"}""" + "\n" + line + "\n" + """{"time":"2025-03-04T10:00:00Z","operation":"echo"}""";

        RecordedRequest[] records = [.. RecordedRequestReader.Read(new StringReader(text), "r.jsonl", errors)];

        Assert.Equal(2, records.Length);
        PolicyDiagnostic error = Assert.Single(errors);
        Assert.Equal(("r.jsonl", 2), (error.Location!.Value.File, error.Location.Value.Line));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_OverlongLine_IsAnErrorWithoutHoldingTheLine()
    {
        var errors = new List<PolicyDiagnostic>();
        string text = new string('x', RecordedRequestReader.MaxLineLength + 10) + "\n" + """{"time":"2025-03-04T10:00:00Z","operation":"echo"}""";

        RecordedRequest[] records = [.. RecordedRequestReader.Read(new StringReader(text), "r.jsonl", errors)];

        Assert.Single(records);
        Assert.Equal(2, records[0].Line);
        Assert.Equal("recorded-line-too-long", Assert.Single(errors).Code);
    }

    [Fact]
    public void Read_ManyBadLines_ErrorsAreCapped()
    {
        var errors = new List<PolicyDiagnostic>();
        string text = string.Join("\n", Enumerable.Repeat("nope", 500));

        _ = RecordedRequestReader.Read(new StringReader(text), "r.jsonl", errors, maxErrors: 10).ToList();

        Assert.Equal(11, errors.Count);
        Assert.Equal("limit-errors", errors[^1].Code);
    }

    [Fact]
    public void Writer_RoundTripsThroughTheReader()
    {
        PolicyRequest request = Dimse(PolicyOperation.Move, "WS01", "10.1.0.50", sopClass: StudyRootMove) with
        {
            MoveDestination = "WS01",
            ObjectSize = 77,
            Certificate = new PolicyCertificate("CN=a", "CN=b", ["DNS:a.example.org"], new string('A', 64)),
        };
        var decision = new PolicyDecision { Outcome = PolicyOutcome.Deny, Reason = PolicyReason.OutsideTimeWindow, Rule = "default-deny" };

        string line = RecordedRequestWriter.ToJsonLine(request, decision);
        RecordedRequest? read = RecordedRequestReader.Parse(line, 1, out string? error);

        Assert.Null(error);
        Assert.Equal(RecordedRequestWriter.ToJsonLine(request, decision), RecordedRequestWriter.ToJsonLine(read!.Request, decision));
        Assert.Equal((PolicyOutcome.Deny, PolicyReason.OutsideTimeWindow), (read.RecordedOutcome, read.RecordedReason));
        Assert.StartsWith("""{"time":"2025-03-04T10:00:00+00:00","protocol":"dimse","operation":"move","calling-ae":"WS01",""", line, StringComparison.Ordinal);
    }
}
