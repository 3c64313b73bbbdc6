using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Gateway.Dicom;
using Gateway.Dicom.Dictionary;
using Gateway.Dicom.Model;

namespace Gateway.DicomWeb.Qido;

/// <summary>
/// Turns the query parameters of a QIDO-RS request (PS3.18 8.3.4) into a <see cref="QidoQuery"/>: a C-FIND identifier
/// for the DIMSE bridge and policy checks, plus limit, offset and flags. Anything invalid is a <see cref="QidoQueryError"/>
/// (400), never an exception.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>{attributeID}={value}: a PS3.6 keyword or eight hex digits, or a dotted path through sequences
/// ("ReferencedStudySequence.ReferencedSOPInstanceUID"). Each attribute at most once; private and unknown attributes are refused.</item>
/// <item>Values are checked against their VR: UID lists separated by commas (8.3.4.1), DA, TM and DT single values or
/// ranges, '*' and '?' only for the string VRs PS3.4 C.2.2.2.4 allows them for, numbers for the numeric VRs; no
/// backslash or control character anywhere, non-ASCII text only for the VRs that use the Specific Character Set.</item>
/// <item>includefield (repeatable, comma-separated, or "all"), fuzzymatching (true or false), limit (1 or more, lowered to
/// <see cref="QidoQueryOptions.MaxLimit"/>) and offset (0 or more); other names must be attributes.</item>
/// <item>Matching on a unique key below the searched level (SOPInstanceUID in a study search) is a relational query,
/// which C-FIND in the Study Root does not offer: refused.</item>
/// </list>
/// </remarks>
public static partial class QidoQueryParser
{
    /// <summary>Parses <paramref name="parameters"/> (names and values already percent-decoded) for <paramref name="resource"/>.</summary>
    /// <returns>True with the query, or false with the reason for a 400 answer.</returns>
    public static bool TryParse(
        QidoResource resource,
        IEnumerable<KeyValuePair<string, string?>> parameters,
        [NotNullWhen(true)] out QidoQuery? query,
        [NotNullWhen(false)] out QidoQueryError? error,
        QidoQueryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(parameters);
        options ??= QidoQueryOptions.Default;
        query = null;
        var state = new ParseState(resource, options);
        error = state.PathKeys() ?? ReadParameters(state, parameters);
        if (error is not null)
        {
            return false;
        }

        query = state.Build();
        return true;
    }

    /// <summary>Splits and percent-decodes a raw query string ("?a=b&amp;c=d", '+' as space) into name-value pairs in order.</summary>
    public static IReadOnlyList<KeyValuePair<string, string?>> ParseQueryString(string? queryString)
    {
        var pairs = new List<KeyValuePair<string, string?>>();
        if (string.IsNullOrEmpty(queryString))
        {
            return pairs;
        }

        foreach (string segment in queryString.TrimStart('?').Split('&'))
        {
            if (segment.Length == 0)
            {
                continue;
            }

            int eq = segment.IndexOf('=', StringComparison.Ordinal);
            string name = Decode(eq < 0 ? segment : segment[..eq]);
            string? value = eq < 0 ? null : Decode(segment[(eq + 1)..]);
            pairs.Add(new(name, value));
        }

        return pairs;
    }

    private static string Decode(string s) => Uri.UnescapeDataString(s.Replace('+', ' '));

    private static QidoQueryError? ReadParameters(ParseState state, IEnumerable<KeyValuePair<string, string?>> parameters)
    {
        int count = 0;
        foreach ((string name, string? rawValue) in parameters)
        {
            if (++count > state.Options.MaxParameters)
            {
                return new QidoQueryError(null, $"more than {state.Options.MaxParameters} query parameters");
            }

            string value = rawValue ?? string.Empty;
            if (string.IsNullOrEmpty(name))
            {
                return new QidoQueryError(null, "a query parameter has no name");
            }

            if (value.Length > state.Options.MaxValueLength)
            {
                return new QidoQueryError(Printable(name), $"the value is longer than {state.Options.MaxValueLength} characters");
            }

            QidoQueryError? error = name.ToLowerInvariant() switch
            {
                "includefield" => state.IncludeFields(value),
                "fuzzymatching" => state.Fuzzy(value),
                "limit" => state.Paging(name, value, isLimit: true),
                "offset" => state.Paging(name, value, isLimit: false),
                _ => state.Match(name, value),
            };
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    /// <summary>A parameter name fit for an error message: printable ASCII, at most 64 characters (names are not patient data, values may be).</summary>
    private static string Printable(string name)
    {
        string cut = name.Length > 64 ? name[..64] + "..." : name;
        return string.Concat(cut.Select(c => c is >= ' ' and <= '~' ? c : '?'));
    }

    /// <summary>Resolves "Keyword", "GGGGEEEE" or a dotted path of them; every step but the last must be a sequence.</summary>
    private static bool TryResolvePath(string name, int maxSequenceDepth, out List<(DicomTag Tag, DicomVR VR)> path, [NotNullWhen(false)] out string? error)
    {
        path = [];
        string[] steps = name.Split('.');
        if (steps.Length - 1 > maxSequenceDepth)
        {
            error = $"paths through more than {maxSequenceDepth} sequences are not accepted";
            return false;
        }

        foreach (string step in steps)
        {
            DicomDictionaryEntry? entry = null;
            DicomTag tag = default;
            if (step.Length == 8 && step.All(char.IsAsciiHexDigit) && DicomTag.TryParse(step, out tag))
            {
                entry = tag.IsPrivate ? null : DicomDictionary.Standard.Find(tag);
            }
            else if (step.Length > 0 && step.All(char.IsAsciiLetterOrDigit))
            {
                entry = DicomDictionary.Standard.FindByKeyword(step);
                tag = entry is null ? default : new DicomTag(entry.GroupLow, entry.ElementLow);
            }

            if (entry is null || entry.ValueRepresentations.Count == 0)
            {
                error = tag.IsPrivate
                    ? "private attributes cannot be queried (their VR is unknown)"
                    : "not a query parameter or a standard attribute keyword or tag";
                return false;
            }

            path.Add((tag, entry.ValueRepresentations[0]));
        }

        for (int i = 0; i < path.Count - 1; i++)
        {
            if (path[i].VR != DicomVR.SQ)
            {
                error = "only a sequence can be followed by '.'";
                return false;
            }
        }

        error = null;
        return true;
    }

    private static string LevelName(QidoLevel level) => level switch
    {
        QidoLevel.Study => "STUDY",
        QidoLevel.Series => "SERIES",
        _ => "IMAGE",
    };

    /// <summary>Everything read so far, and the identifier built from it.</summary>
    private sealed class ParseState(QidoResource resource, QidoQueryOptions options)
    {
        private readonly List<(List<(DicomTag Tag, DicomVR VR)> Path, string Value)> _matches = [];
        private readonly List<List<(DicomTag Tag, DicomVR VR)>> _includes = [];
        private readonly HashSet<string> _matched = new(StringComparer.Ordinal);
        private bool _includeAll;
        private bool? _fuzzy;
        private int? _limit;
        private int? _offset;

        public QidoQueryOptions Options { get; } = options;

        public QidoQueryError? PathKeys()
        {
            if (resource.SeriesInstanceUid is not null && (resource.StudyInstanceUid is null || resource.Level != QidoLevel.Instance))
            {
                return new QidoQueryError("SeriesInstanceUID", "a series in the path needs a study, and a search for instances");
            }

            foreach ((string? uid, DicomTag tag, string name) in new[]
            {
                (resource.StudyInstanceUid, DicomTags.StudyInstanceUID, "StudyInstanceUID"),
                (resource.SeriesInstanceUid, DicomTags.SeriesInstanceUID, "SeriesInstanceUID"),
            })
            {
                if (uid is null)
                {
                    continue;
                }

                if (!new DicomUid(uid).IsValid)
                {
                    return new QidoQueryError(name, "the UID in the path is not a valid UID (PS3.5 9.1)");
                }

                _matches.Add(([(tag, DicomVR.UI)], uid));
                _matched.Add(tag.ToJsonKey());
            }

            return null;
        }

        public QidoQueryError? IncludeFields(string value)
        {
            foreach (string field in value.Split(',', StringSplitOptions.TrimEntries))
            {
                if (field == "all")
                {
                    _includeAll = true;
                    continue;
                }

                if (!TryResolvePath(field, Options.MaxSequenceDepth, out List<(DicomTag Tag, DicomVR VR)> path, out string? error))
                {
                    return new QidoQueryError("includefield", $"{Printable(field)}: {error}");
                }

                _includes.Add(path);
            }

            return null;
        }

        public QidoQueryError? Fuzzy(string value)
        {
            if (_fuzzy is not null)
            {
                return new QidoQueryError("fuzzymatching", "appears twice");
            }

            _fuzzy = value switch
            {
                "true" => true,
                "false" => false,
                _ => null,
            };
            return _fuzzy is null ? new QidoQueryError("fuzzymatching", "is true or false") : null;
        }

        public QidoQueryError? Paging(string name, string value, bool isLimit)
        {
            if ((isLimit ? _limit : _offset) is not null)
            {
                return new QidoQueryError(name, "appears twice");
            }

            int least = isLimit ? 1 : 0;
            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < least)
            {
                return new QidoQueryError(name, $"is a whole number of at least {least}");
            }

            if (isLimit)
            {
                _limit = n;
                return null;
            }

            if (n > Options.MaxOffset)
            {
                return new QidoQueryError(name, $"is at most {Options.MaxOffset}");
            }

            _offset = n;
            return null;
        }

        public QidoQueryError? Match(string name, string value)
        {
            string shown = Printable(name);
            if (!TryResolvePath(name, Options.MaxSequenceDepth, out List<(DicomTag Tag, DicomVR VR)> path, out string? error))
            {
                return new QidoQueryError(shown, error);
            }

            string key = string.Join('.', path.Select(p => p.Tag.ToJsonKey()));
            if (!_matched.Add(key))
            {
                return new QidoQueryError(shown, "the attribute is matched twice (or also named in the path)");
            }

            (DicomTag tag, DicomVR vr) = path[^1];
            if (tag == DicomTags.QueryRetrieveLevel || tag == DicomTags.SpecificCharacterSet)
            {
                return new QidoQueryError(shown, "is set by the gateway, not by the query");
            }

            if (path.Count == 1 && IsLowerUniqueKey(tag))
            {
                return new QidoQueryError(shown, "matching on a unique key below the searched level (a relational query) is not supported");
            }

            if (vr == DicomVR.SQ && value.Length > 0)
            {
                return new QidoQueryError(shown, "a sequence cannot be matched by value; match an attribute inside it");
            }

            if (!TryNormalizeValue(vr, value, out string normalized, out string? valueError))
            {
                return new QidoQueryError(shown, valueError);
            }

            _matches.Add((path, normalized));
            return null;
        }

        public QidoQuery Build()
        {
            var identifier = new DicomDataset();
            if (_matches.Any(m => !System.Text.Ascii.IsValid(m.Value)))
            {
                // Set first: the values below are encoded with the data set's character set.
                identifier.SetString(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 192");
            }

            identifier.SetString(DicomTags.QueryRetrieveLevel, DicomVR.CS, LevelName(resource.Level));
            foreach ((List<(DicomTag Tag, DicomVR VR)> path, string value) in _matches)
            {
                SetAt(identifier, path, value);
            }

            foreach (DicomTag tag in QidoDefaultAttributes.For(resource))
            {
                if (!identifier.Contains(tag))
                {
                    identifier.Set(EmptyItem(tag, DicomDictionary.Standard.Find(tag)!.ValueRepresentations[0]));
                }
            }

            foreach (List<(DicomTag Tag, DicomVR VR)> path in _includes)
            {
                SetAt(identifier, path, value: null);
            }

            int requested = _limit ?? int.MaxValue;
            return new QidoQuery
            {
                Level = resource.Level,
                Identifier = identifier,
                MatchingKeys = [.. _matches.Select(m => new QidoMatchKey([.. m.Path.Select(p => p.Tag)], m.Path[^1].VR, m.Value))],
                IncludeFields = [.. _includes.Select(p => p[0].Tag).Distinct()],
                IncludeAllFields = _includeAll,
                FuzzyMatching = _fuzzy ?? false,
                Limit = Math.Min(requested, Options.MaxLimit),
                LimitLowered = requested > Options.MaxLimit,
                Offset = _offset ?? 0,
            };
        }

        private bool IsLowerUniqueKey(DicomTag tag) =>
            (tag == DicomTags.SeriesInstanceUID && resource.Level == QidoLevel.Study) ||
            (tag == DicomTags.SOPInstanceUID && resource.Level != QidoLevel.Instance);

        /// <summary>Sets the attribute at <paramref name="path"/>, creating one item in each sequence on the way; null keeps an existing value or adds an empty one.</summary>
        private static void SetAt(DicomDataset root, List<(DicomTag Tag, DicomVR VR)> path, string? value)
        {
            DicomDataset current = root;
            for (int i = 0; i < path.Count - 1; i++)
            {
                DicomSequence? sequence = current.GetSequence(path[i].Tag);
                if (sequence is null || sequence.Items.Count == 0)
                {
                    sequence = new DicomSequence(path[i].Tag, [new DicomDataset(current)]);
                    current.Set(sequence);
                }

                current = sequence.Items[0];
            }

            (DicomTag tag, DicomVR vr) = path[^1];
            if (value is null)
            {
                if (!current.Contains(tag))
                {
                    current.Set(EmptyItem(tag, vr));
                }

                return;
            }

            current.Set(ValueElement(current, tag, vr, value));
        }

        private static DicomItem EmptyItem(DicomTag tag, DicomVR vr) =>
            vr == DicomVR.SQ ? new DicomSequence(tag, []) : new DicomElement(tag, vr, Array.Empty<byte>());
    }
}
