using Gateway.Dicom.Model;

namespace Gateway.Dicom.Network.Services;

/// <summary>A patient, study, series or instance of a <see cref="QueryIndex"/>; guarded by the index's lock.</summary>
internal sealed class QueryIndexNode
{
    public QueryIndexNode(QueryRetrieveLevel level, string key)
    {
        Level = level;
        Key = key;
    }

    /// <summary>The level of the entity.</summary>
    public QueryRetrieveLevel Level { get; }

    /// <summary>Its unique key: Patient ID, or the Study, Series or SOP Instance UID.</summary>
    public string Key { get; }

    /// <summary>The entity one level up (null for patients).</summary>
    public QueryIndexNode? Parent { get; set; }

    /// <summary>The entity's attributes with Specific Character Set, from the latest file indexed under it.</summary>
    public DicomDataset Attributes { get; set; } = new();

    /// <summary>The entities one level down, by unique key.</summary>
    public Dictionary<string, QueryIndexNode> Children { get; } = new(StringComparer.Ordinal);

    /// <summary>The file of an instance (null above the IMAGE level).</summary>
    public IndexedInstanceFile? File { get; set; }

    /// <summary>This node or its ancestor at <paramref name="level"/>, or null when that level is below this node.</summary>
    public QueryIndexNode? At(QueryRetrieveLevel level)
    {
        QueryIndexNode? node = this;
        while (node is not null && node.Level > level)
        {
            node = node.Parent;
        }

        return node?.Level == level ? node : null;
    }

    /// <summary>
    /// The values of an attribute this node's level computes (<see cref="QueryRetrieveAttributes.ComputedLevel"/>): counts
    /// of related entities, the modalities and SOP classes of a study, the transfer syntax of an instance.
    /// </summary>
    public IReadOnlyList<string> ComputedValues(DicomTag tag)
    {
        if (tag == DicomTags.ModalitiesInStudy)
        {
            return [.. Children.Values.SelectMany(s => s.Attributes.GetStrings(DicomTags.Modality)).Where(m => m.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        }

        if (tag == DicomTags.SOPClassesInStudy)
        {
            return [.. Instances().Select(i => i.File!.SopClassUid).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        }

        if (tag == DicomTags.AvailableTransferSyntaxUID)
        {
            return File is null ? [] : [File.TransferSyntax.Uid.Value];
        }

        int count = tag == DicomTags.NumberOfPatientRelatedStudies || tag == DicomTags.NumberOfStudyRelatedSeries || tag == DicomTags.NumberOfSeriesRelatedInstances
            ? Children.Count
            : tag == DicomTags.NumberOfPatientRelatedSeries
            ? Children.Values.Sum(s => s.Children.Count)
            : Instances().Count();
        return [count.ToString(System.Globalization.CultureInfo.InvariantCulture)];
    }

    /// <summary>The instances at or below this node.</summary>
    public IEnumerable<QueryIndexNode> Instances() =>
        Level == QueryRetrieveLevel.Image ? [this] : Children.Values.SelectMany(c => c.Instances());
}
