using Gateway.Dicom;
using Gateway.Dicom.Model;

namespace Gateway.DicomWeb.Qido;

/// <summary>A validated QIDO-RS query: the C-FIND identifier it becomes, and the paging and flags that C-FIND has no room for.</summary>
public sealed record QidoQuery
{
    /// <summary>What is searched for.</summary>
    public required QidoLevel Level { get; init; }

    /// <summary>
    /// The C-FIND identifier (Study Root): Query/Retrieve Level, the matching keys with their values, and empty return keys
    /// for the default attributes of PS3.18 Table 10.6.3-3 to -5 and every includefield. (0008,0005) is "ISO_IR 192" when a
    /// value is not ASCII.
    /// </summary>
    public required DicomDataset Identifier { get; init; }

    /// <summary>The matching keys, path UIDs included.</summary>
    public required IReadOnlyList<QidoMatchKey> MatchingKeys { get; init; }

    /// <summary>The attributes asked for with includefield (top-level tags of their paths).</summary>
    public required IReadOnlyList<DicomTag> IncludeFields { get; init; }

    /// <summary>True for includefield=all: every available attribute is wanted, not only the identifier's.</summary>
    public bool IncludeAllFields { get; init; }

    /// <summary>fuzzymatching=true: person names may match fuzzily (PS3.4 C.2.2.2.1.4), if the origin supports it.</summary>
    public bool FuzzyMatching { get; init; }

    /// <summary>Most results to return: the request's limit lowered to <see cref="QidoQueryOptions.MaxLimit"/>.</summary>
    public required int Limit { get; init; }

    /// <summary>Results to skip first.</summary>
    public int Offset { get; init; }

    /// <summary>True when the request asked for more results than <see cref="Limit"/> (or for no limit).</summary>
    public bool LimitLowered { get; init; }

    /// <summary>The top-level attributes a response may carry: those of the identifier (when not <see cref="IncludeAllFields"/>).</summary>
    public IReadOnlySet<DicomTag> ResponseAttributes => Identifier.Select(i => i.Tag).Where(t => t != DicomTags.QueryRetrieveLevel).ToHashSet();
}
