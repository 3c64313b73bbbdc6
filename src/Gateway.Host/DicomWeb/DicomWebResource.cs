using Gateway.Dicom;

namespace Gateway.Host.DicomWeb;

/// <summary>What a DICOMweb request asks for (PS3.18 8.2, 10.4, 10.5, 10.6).</summary>
public enum DicomWebAction
{
    /// <summary>Not a DICOMweb resource the gateway serves: 404, nothing is forwarded.</summary>
    None,

    /// <summary>QIDO-RS: search studies, series or instances.</summary>
    Search,

    /// <summary>WADO-RS: retrieve instances, metadata, frames, rendered, thumbnail or bulk data.</summary>
    Retrieve,

    /// <summary>STOW-RS: store instances.</summary>
    Store,
}

/// <summary>
/// A DICOMweb path below the service root, checked against the resources of PS3.18: only these are ever forwarded to
/// the PACS, every UID in the path must be a valid UID, and anything else is refused before it leaves the gateway.
/// </summary>
/// <param name="Action">What is asked for.</param>
/// <param name="Study">The Study Instance UID in the path, if any.</param>
/// <param name="Series">The Series Instance UID in the path, if any.</param>
/// <param name="Instance">The SOP Instance UID in the path, if any.</param>
public sealed record DicomWebResource(DicomWebAction Action, string? Study = null, string? Series = null, string? Instance = null)
{
    private const int MaxSegments = 14;

    /// <summary>Nothing the gateway serves.</summary>
    public static DicomWebResource NotFound { get; } = new(DicomWebAction.None);

    /// <summary>Classifies <paramref name="path"/> (below the service root, e.g. <c>studies/1.2.3/series</c>) for an HTTP method.</summary>
    public static DicomWebResource Classify(string method, string? path)
    {
        ArgumentNullException.ThrowIfNull(method);
        string[] s = (path ?? string.Empty).Split('/', StringSplitOptions.None);
        if (s.Length > MaxSegments || s.Any(string.IsNullOrEmpty) && !(s.Length == 1 && s[0].Length == 0))
        {
            return NotFound;
        }

        if (HttpMethods.IsPost(method))
        {
            // STOW-RS: POST /studies, POST /studies/{study}.
            return s switch
            {
                ["studies"] => new(DicomWebAction.Store),
                ["studies", var st] when IsUid(st) => new(DicomWebAction.Store, st),
                _ => NotFound,
            };
        }

        if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))
        {
            return NotFound;
        }

        return s switch
        {
            // QIDO-RS.
            ["studies"] or ["series"] or ["instances"] => new(DicomWebAction.Search),
            ["studies", var st, "series"] when IsUid(st) => new(DicomWebAction.Search, st),
            ["studies", var st, "instances"] when IsUid(st) => new(DicomWebAction.Search, st),
            ["studies", var st, "series", var se, "instances"] when IsUid(st) && IsUid(se) => new(DicomWebAction.Search, st, se),

            // WADO-RS: study, series, instance; their metadata, rendered and thumbnail; frames; bulk data.
            ["studies", var st] when IsUid(st) => new(DicomWebAction.Retrieve, st),
            ["studies", var st, var r] when IsUid(st) && IsRepresentation(r) => new(DicomWebAction.Retrieve, st),
            ["studies", var st, "series", var se] when IsUid(st) && IsUid(se) => new(DicomWebAction.Retrieve, st, se),
            ["studies", var st, "series", var se, var r] when IsUid(st) && IsUid(se) && IsRepresentation(r) => new(DicomWebAction.Retrieve, st, se),
            ["studies", var st, "series", var se, "instances", var i] when IsUid(st) && IsUid(se) && IsUid(i) => new(DicomWebAction.Retrieve, st, se, i),
            ["studies", var st, "series", var se, "instances", var i, var r] when IsUid(st) && IsUid(se) && IsUid(i) && IsRepresentation(r) => new(DicomWebAction.Retrieve, st, se, i),
            ["studies", var st, "series", var se, "instances", var i, "frames", var f] when IsUid(st) && IsUid(se) && IsUid(i) && IsFrameList(f) => new(DicomWebAction.Retrieve, st, se, i),
            ["studies", var st, "series", var se, "instances", var i, "frames", var f, var r] when IsUid(st) && IsUid(se) && IsUid(i) && IsFrameList(f) && r is "rendered" or "thumbnail" => new(DicomWebAction.Retrieve, st, se, i),
            ["studies", var st, "series", var se, "instances", var i, "bulk" or "bulkdata", .. var rest] when IsUid(st) && IsUid(se) && IsUid(i) && rest.Length is >= 1 and <= 5 && rest.All(IsBulkDataSegment) => new(DicomWebAction.Retrieve, st, se, i),
            _ => NotFound,
        };
    }

    private static bool IsUid(string value) => value.Length <= 64 && new DicomUid(value).IsValid;

    private static bool IsRepresentation(string value) => value is "metadata" or "rendered" or "thumbnail";

    // PS3.18 8.3.3.1: a comma-separated list of frame numbers, each a positive integer.
    private static bool IsFrameList(string value)
    {
        if (value.Length is 0 or > 1024)
        {
            return false;
        }

        foreach (string n in value.Split(','))
        {
            if (n.Length is 0 or > 9 || !n.All(char.IsAsciiDigit) || n.All(c => c == '0'))
            {
                return false;
            }
        }

        return true;
    }

    // Bulk data URIs are the origin's own (Orthanc: .../bulk/{tag}[/{item}/{tag}...]): only tags and item numbers are
    // let through, never dots or escapes.
    private static bool IsBulkDataSegment(string value) => value.Length is > 0 and <= 8 && value.All(char.IsAsciiHexDigit);
}
