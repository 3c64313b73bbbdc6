using System.Globalization;
using Gateway.Dicom.Model;

namespace Gateway.Dicom.Network.Services;

/// <summary>
/// The in-memory patient / study / series / instance tree of a <see cref="DirectoryQueryRetrieveService"/>, built from file
/// headers. Every access holds one lock; a query runs to completion under it and hands back copies, so no caller ever
/// sees the tree change under it.
/// </summary>
internal sealed class QueryIndex
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, QueryIndexNode> _patients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, QueryIndexNode> _studies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, QueryIndexNode> _series = new(StringComparer.Ordinal);
    private readonly Dictionary<string, QueryIndexNode> _instances = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _instanceByPath = new(StringComparer.Ordinal);

    /// <summary>The number of indexed instances.</summary>
    public int InstanceCount
    {
        get
        {
            lock (_lock)
            {
                return _instances.Count;
            }
        }
    }

    /// <summary>The indexed file paths.</summary>
    public IReadOnlyList<string> Paths()
    {
        lock (_lock)
        {
            return [.. _instanceByPath.Keys];
        }
    }

    /// <summary>
    /// Adds an instance, or replaces what was known about it (a second C-STORE of the same SOP Instance UID, or another
    /// instance written to the same path). The upper levels take the attributes of this latest file.
    /// </summary>
    /// <returns>False when the index is full (<paramref name="maxInstances"/>) and the instance is new.</returns>
    public bool AddOrReplace(IndexedInstanceHeader header, int maxInstances)
    {
        ArgumentNullException.ThrowIfNull(header);
        DicomDataset a = header.Attributes;
        string patientId = a.GetString(DicomTags.PatientID) ?? string.Empty;
        string studyUid = a.GetString(DicomTags.StudyInstanceUID)!;
        string seriesUid = a.GetString(DicomTags.SeriesInstanceUID)!;
        string sopUid = a.GetString(DicomTags.SOPInstanceUID)!;
        lock (_lock)
        {
            if (_instanceByPath.TryGetValue(header.File.Path, out string? previous) && previous != sopUid)
            {
                RemoveInstance(previous);
            }

            RemoveInstance(sopUid);
            if (_instances.Count >= maxInstances)
            {
                return false;
            }

            QueryIndexNode patient = Attach(_patients, null, QueryRetrieveLevel.Patient, patientId, a);
            QueryIndexNode study = Attach(_studies, patient, QueryRetrieveLevel.Study, studyUid, a);
            QueryIndexNode series = Attach(_series, study, QueryRetrieveLevel.Series, seriesUid, a);
            QueryIndexNode instance = Attach(_instances, series, QueryRetrieveLevel.Image, sopUid, a);
            instance.File = header.File;
            _instanceByPath[header.File.Path] = sopUid;
            return true;
        }
    }

    /// <summary>Forgets the instance stored at <paramref name="path"/>, if any.</summary>
    public void RemovePath(string path)
    {
        lock (_lock)
        {
            if (_instanceByPath.TryGetValue(path, out string? sopUid))
            {
                RemoveInstance(sopUid);
            }
        }
    }

    /// <summary>
    /// Finds the entities at <see cref="QueryPlan.Level"/> that match every condition, walking down from the top level
    /// (hierarchical search, PS3.4 C.4.1.3.1.1), in a stable order, and projects each under the lock.
    /// </summary>
    /// <exception cref="DimseStatusException">More than <paramref name="maxMatches"/> entities match (Out of Resources).</exception>
    public IReadOnlyList<TResult> Match<TResult>(QueryPlan plan, int maxMatches, Func<QueryIndexNode, TResult> project)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(project);
        lock (_lock)
        {
            IEnumerable<QueryIndexNode> candidates = TopCandidates(plan);
            List<QueryIndexNode> current = [.. Sort(Filter(candidates, plan, plan.TopLevel, includeAbove: true))];
            for (QueryRetrieveLevel level = plan.TopLevel + 1; level <= plan.Level; level++)
            {
                var next = new List<QueryIndexNode>();
                foreach (QueryIndexNode parent in current)
                {
                    next.AddRange(Sort(Filter(parent.Children.Values, plan, level, includeAbove: false)));
                    if (next.Count > maxMatches)
                    {
                        break;
                    }
                }

                current = next;
            }

            if (current.Count > maxMatches)
            {
                throw new DimseStatusException(Dimse.DimseStatus.OutOfResources, $"more than {maxMatches} matches; narrow the query");
            }

            return [.. current.Select(project)];
        }
    }

    /// <summary>The values of a condition's attribute for a node (its own, an ancestor's, or computed).</summary>
    public static IReadOnlyList<string> ValuesOf(QueryIndexNode node, QueryCondition condition)
    {
        QueryIndexNode? holder = node.At(condition.Level);
        if (holder is null)
        {
            return [];
        }

        return condition.IsComputed ? holder.ComputedValues(condition.Tag) : holder.Attributes.GetStrings(condition.Tag);
    }

    /// <summary>The instances at or below a node in the order a query lists them; call it inside a projection of <see cref="Match"/>.</summary>
    public static IEnumerable<QueryIndexNode> InstancesInOrder(QueryIndexNode node) =>
        node.Level == QueryRetrieveLevel.Image ? [node] : Sort(node.Children.Values).SelectMany(InstancesInOrder);

    private IEnumerable<QueryIndexNode> TopCandidates(QueryPlan plan)
    {
        Dictionary<string, QueryIndexNode> top = plan.TopLevel == QueryRetrieveLevel.Patient ? _patients : _studies;
        DicomTag unique = QueryRetrieveAttributes.UniqueKey(plan.TopLevel);

        // A list of UIDs (or one Patient ID without wildcards) at the top level is looked up, not scanned.
        QueryCondition? key = plan.Conditions.FirstOrDefault(c => c.Tag == unique && !c.IsComputed);
        if (key is not null && (plan.TopLevel == QueryRetrieveLevel.Study || key.Values.All(v => v.AsSpan().IndexOfAny('*', '?') < 0 && v == v.Trim())))
        {
            return key.Values.Distinct(StringComparer.Ordinal).Select(v => top.GetValueOrDefault(v)).OfType<QueryIndexNode>();
        }

        return top.Values;
    }

    private static IEnumerable<QueryIndexNode> Filter(IEnumerable<QueryIndexNode> nodes, QueryPlan plan, QueryRetrieveLevel level, bool includeAbove)
    {
        foreach (QueryIndexNode node in nodes)
        {
            bool matches = true;
            foreach (QueryCondition condition in plan.Conditions)
            {
                if (condition.Level == level || (includeAbove && condition.Level < level))
                {
                    if (!DicomQueryMatcher.Matches(condition.VR, condition.Values, ValuesOf(node, condition)))
                    {
                        matches = false;
                        break;
                    }
                }
            }

            if (matches)
            {
                yield return node;
            }
        }
    }

    // A stable, meaningful order: patients by ID, studies by date and time, series and instances by number, then by UID.
    private static IEnumerable<QueryIndexNode> Sort(IEnumerable<QueryIndexNode> nodes) => nodes
        .OrderBy(n => n.Level switch
        {
            QueryRetrieveLevel.Study => (n.Attributes.GetString(DicomTags.StudyDate) ?? string.Empty) + (n.Attributes.GetString(DicomTags.StudyTime) ?? string.Empty),
            _ => string.Empty,
        }, StringComparer.Ordinal)
        .ThenBy(n => n.Level switch
        {
            QueryRetrieveLevel.Series => Number(n.Attributes, DicomTags.SeriesNumber),
            QueryRetrieveLevel.Image => Number(n.Attributes, DicomTags.InstanceNumber),
            _ => 0,
        })
        .ThenBy(n => n.Key, StringComparer.Ordinal);

    private static double Number(DicomDataset attributes, DicomTag tag) =>
        double.TryParse(attributes.GetString(tag), NumberStyles.Float, CultureInfo.InvariantCulture, out double n) ? n : double.MaxValue;

    private QueryIndexNode Attach(Dictionary<string, QueryIndexNode> table, QueryIndexNode? parent, QueryRetrieveLevel level, string key, DicomDataset source)
    {
        if (!table.TryGetValue(key, out QueryIndexNode? node))
        {
            node = new QueryIndexNode(level, key);
            table[key] = node;
        }

        if (node.Parent != parent)
        {
            // The latest file says this entity belongs elsewhere (a study re-sent under a corrected Patient ID): move it.
            if (node.Parent is { } old)
            {
                old.Children.Remove(key);
                Prune(old);
            }

            node.Parent = parent;
        }

        parent?.Children.TryAdd(key, node);
        node.Attributes = Select(source, level);
        return node;
    }

    private static DicomDataset Select(DicomDataset source, QueryRetrieveLevel level)
    {
        var attributes = new DicomDataset();
        if (source[DicomTags.SpecificCharacterSet] is { } characterSet)
        {
            attributes.Set(characterSet);
        }

        foreach (DicomTag tag in QueryRetrieveAttributes.TagsOf(level))
        {
            if (source[tag] is { } item)
            {
                attributes.Set(item);
            }
        }

        return attributes;
    }

    private void RemoveInstance(string sopUid)
    {
        if (!_instances.Remove(sopUid, out QueryIndexNode? instance))
        {
            return;
        }

        if (instance.File is { } file && _instanceByPath.TryGetValue(file.Path, out string? atPath) && atPath == sopUid)
        {
            _instanceByPath.Remove(file.Path);
        }

        if (instance.Parent is { } series)
        {
            series.Children.Remove(sopUid);
            Prune(series);
        }
    }

    // Removes a node left without children, and its ancestors that this empties, so that an entity without instances
    // is never a match.
    private void Prune(QueryIndexNode node)
    {
        for (QueryIndexNode? current = node; current is not null && current.Children.Count == 0; current = current.Parent)
        {
            Table(current.Level).Remove(current.Key);
            current.Parent?.Children.Remove(current.Key);
        }
    }

    private Dictionary<string, QueryIndexNode> Table(QueryRetrieveLevel level) => level switch
    {
        QueryRetrieveLevel.Patient => _patients,
        QueryRetrieveLevel.Study => _studies,
        QueryRetrieveLevel.Series => _series,
        _ => _instances,
    };
}
