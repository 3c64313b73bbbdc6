using System.Runtime.CompilerServices;
using System.Text;
using Gateway.Dicom.Model;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Text;

namespace Gateway.Dicom.Network.Services;

public sealed partial class DirectoryQueryRetrieveService
{
    /// <inheritdoc />
    public async IAsyncEnumerable<DicomDataset> FindAsync(QueryRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await WhenIndexedAsync(cancellationToken).ConfigureAwait(false);
        (IReadOnlyList<DicomDataset> matches, QueryPlan plan) = Answer(request.SopClassUid, request.Identifier);
        if (plan.HasUnsupportedKeys)
        {
            // Keys this index does not hold are answered empty and match everything: each match says so (FF01).
            request.PendingStatus = DimseStatus.PendingWarning;
        }

        LogFind(_logger, request.Association.Id, request.Association.CallingAE, request.Identifier.GetString(DicomTags.QueryRetrieveLevel) ?? string.Empty, matches.Count);
        foreach (DicomDataset match in matches)
        {
            // C-CANCEL (PS3.7 9.3.2.3): stop between responses; the dispatcher then answers Cancel.
            cancellationToken.ThrowIfCancellationRequested();
            yield return match;
        }
    }

    /// <summary>
    /// Answers a C-FIND identifier from the index as it stands (without waiting for files still being indexed): one
    /// response identifier per match, holding exactly the requested keys, plus Query/Retrieve Level, Retrieve AE Title
    /// and, when a value needs it, Specific Character Set.
    /// </summary>
    /// <param name="informationModel">Patient Root or Study Root Query/Retrieve Information Model - FIND (MOVE and GET are accepted too).</param>
    /// <param name="identifier">The query keys.</param>
    /// <exception cref="DimseStatusException">
    /// The model is not supported (0122), the identifier is not valid for it (A900: level missing or not in the model,
    /// a unique key of a level above absent; present and empty, it matches every entity of that level), or it matches more than <see cref="DirectoryQueryRetrieveOptions.MaxMatches"/> (A700).
    /// </exception>
    public IReadOnlyList<DicomDataset> Query(string informationModel, DicomDataset identifier)
    {
        ArgumentNullException.ThrowIfNull(informationModel);
        ArgumentNullException.ThrowIfNull(identifier);
        return Answer(informationModel, identifier).Matches;
    }

    private (IReadOnlyList<DicomDataset> Matches, QueryPlan Plan) Answer(string informationModel, DicomDataset identifier)
    {
        QueryPlan plan = Plan(informationModel, identifier, retrieve: false);
        return (_index.Match(plan, _options.MaxMatches, node => BuildResponse(node, identifier, plan.Level)), plan);
    }

    // PS3.4 C.4.1.2.1 / C.4.2.2.1 (baseline, hierarchical): validates the identifier and turns its keys into conditions.
    private static QueryPlan Plan(string informationModel, DicomDataset identifier, bool retrieve)
    {
        bool studyRoot = StudyRootModels.Contains(informationModel);
        if (!studyRoot && !PatientRootModels.Contains(informationModel))
        {
            throw new DimseStatusException(DimseStatus.SopClassNotSupported, $"information model {informationModel} is not supported");
        }

        if (!QueryRetrieveAttributes.TryParseLevel(identifier.GetString(DicomTags.QueryRetrieveLevel), out QueryRetrieveLevel level))
        {
            throw new DimseStatusException(DimseStatus.DataSetDoesNotMatchSopClass, "missing or invalid Query/Retrieve Level (0008,0052)");
        }

        QueryRetrieveLevel top = studyRoot ? QueryRetrieveLevel.Study : QueryRetrieveLevel.Patient;
        if (level < top)
        {
            throw new DimseStatusException(DimseStatus.DataSetDoesNotMatchSopClass, "the Study Root model has no PATIENT level");
        }

        for (QueryRetrieveLevel above = top; above < level; above++)
        {
            // A C-FIND whose unique key of a level above is present but empty (universal) searches every entity of that
            // level, as dcmqrscp and Orthanc answer it (a SERIES query across studies). One without the key is refused,
            // as dcmqrscp refuses it. A retrieve needs a value for it: the baseline retrieve names entities by their
            // unique keys (PS3.4 C.4.2.2.1), and Orthanc refuses one without (dcmqrscp 3.6.7 retrieves whatever the
            // other keys match).
            DicomTag unique = QueryRetrieveAttributes.UniqueKey(above);
            if (!identifier.Contains(unique) || (retrieve && DicomQueryMatcher.IsUniversal(identifier.GetStrings(unique))))
            {
                throw new DimseStatusException(DimseStatus.DataSetDoesNotMatchSopClass, $"{QueryRetrieveAttributes.LevelName(level)} level needs the {QueryRetrieveAttributes.LevelName(above)} unique key {unique}");
            }
        }

        bool studyByAccession = level == QueryRetrieveLevel.Study && !DicomQueryMatcher.IsUniversal(identifier.GetStrings(DicomTags.AccessionNumber));
        if (retrieve && !studyByAccession && DicomQueryMatcher.IsUniversal(identifier.GetStrings(QueryRetrieveAttributes.UniqueKey(level))))
        {
            // Retrieving everything by leaving out the unique key is refused, as Orthanc refuses it. A study may instead be
            // named by its Accession Number, which Orthanc and dcmqrscp both accept: devices that know the order and not
            // the study retrieve that way.
            throw new DimseStatusException(DimseStatus.DataSetDoesNotMatchSopClass, $"a {QueryRetrieveAttributes.LevelName(level)} retrieve needs the unique key {QueryRetrieveAttributes.UniqueKey(level)}");
        }

        var conditions = new List<QueryCondition>();
        bool unsupported = false;
        foreach (DicomItem item in identifier)
        {
            if (IsReturnOnly(item.Tag))
            {
                continue;
            }

            if (item is not DicomElement element)
            {
                // Sequence keys are matched universally (their items are not indexed); see BuildResponse.
                unsupported = true;
                continue;
            }

            IReadOnlyList<string> values = identifier.GetStrings(element.Tag);
            QueryRetrieveLevel? stored = QueryRetrieveAttributes.StoredLevel(element.Tag);
            QueryRetrieveLevel? computed = QueryRetrieveAttributes.ComputedLevel(element.Tag);
            QueryRetrieveLevel? holder = stored ?? computed;
            unsupported |= holder is null;

            // Keys that are not indexed, or belong below the level asked for, are universal matching (and returned empty).
            if (DicomQueryMatcher.IsUniversal(values) || holder is null || holder > level)
            {
                continue;
            }

            DicomVR vr = QueryRetrieveAttributes.DictionaryVR(element.Tag, element.VR);
            conditions.Add(new QueryCondition(element.Tag, holder.Value, vr, values, stored is null));
        }

        return new QueryPlan(level, top, conditions, unsupported);
    }

    private static bool IsReturnOnly(DicomTag tag) =>
        tag.IsGroupLength || tag.IsPrivate || tag == DicomTags.SpecificCharacterSet || tag == DicomTags.QueryRetrieveLevel ||
        tag == DicomTags.RetrieveAETitle || tag == DicomTags.InstanceAvailability;

    private DicomDataset BuildResponse(QueryIndexNode node, DicomDataset identifier, QueryRetrieveLevel level)
    {
        var response = new DicomDataset();
        var copied = new List<(DicomElement Element, DicomCharacterSet CharacterSet)>();
        foreach (DicomItem item in identifier)
        {
            DicomTag tag = item.Tag;
            if (tag.IsGroupLength || tag == DicomTags.SpecificCharacterSet || tag == DicomTags.RetrieveAETitle)
            {
                continue;
            }

            if (item is DicomSequence)
            {
                // Minimal sequence matching: universal, answered with an empty sequence.
                response.Set(new DicomSequence(tag, []));
                continue;
            }

            if (item is not DicomElement key)
            {
                continue;
            }

            DicomVR vr = QueryRetrieveAttributes.DictionaryVR(tag, key.VR);
            if (tag == DicomTags.QueryRetrieveLevel)
            {
                response.SetString(tag, DicomVR.CS, QueryRetrieveAttributes.LevelName(level));
            }
            else if (tag == DicomTags.InstanceAvailability)
            {
                response.SetString(tag, DicomVR.CS, "ONLINE");
            }
            else if (QueryRetrieveAttributes.ComputedLevel(tag) is { } computedLevel && computedLevel <= level && node.At(computedLevel) is { } computer)
            {
                response.SetString(tag, vr, [.. computer.ComputedValues(tag)]);
            }
            else if (QueryRetrieveAttributes.StoredLevel(tag) is { } storedLevel && storedLevel <= level && node.At(storedLevel) is { } holder &&
                     holder.Attributes[tag] is DicomElement value)
            {
                response.Set(value);
                copied.Add((value, holder.Attributes.CharacterSet));
            }
            else
            {
                // Not indexed, below the level, or absent from the instance: a zero-length value (PS3.4 C.4.1.1.3.2).
                response.Set(new DicomElement(tag, vr, ReadOnlyMemory<byte>.Empty));
            }
        }

        if (!response.Contains(DicomTags.QueryRetrieveLevel))
        {
            response.SetString(DicomTags.QueryRetrieveLevel, DicomVR.CS, QueryRetrieveAttributes.LevelName(level));
        }

        response.SetString(DicomTags.RetrieveAETitle, DicomVR.AE, _options.AETitle);
        SetCharacterSet(response, copied, node.Attributes);
        return response;
    }

    // PS3.4 C.4.1.1.3.2: Specific Character Set is returned when a value needs it. The values are copied as stored, so
    // they keep their file's character set; should the copied values come from files with different ones, the text
    // values are re-encoded in UTF-8 (ISO_IR 192) instead.
    private static void SetCharacterSet(DicomDataset response, List<(DicomElement Element, DicomCharacterSet CharacterSet)> copied, DicomDataset queryLevelAttributes)
    {
        var needed = copied.Where(c => c.Element.VR.UsesSpecificCharacterSet && NeedsCharacterSet(c.Element.Value.Span)).ToList();
        var distinct = needed.Select(c => string.Join('\\', c.CharacterSet.Terms)).Distinct(StringComparer.Ordinal).ToList();
        if (distinct.Count <= 1)
        {
            DicomCharacterSet? characterSet = needed.Count > 0 ? needed[0].CharacterSet : null;
            if (characterSet is { Terms.Count: > 0 })
            {
                response.SetString(DicomTags.SpecificCharacterSet, DicomVR.CS, [.. characterSet.Terms]);
            }
            else if (needed.Count == 0 && queryLevelAttributes[DicomTags.SpecificCharacterSet] is DicomElement own)
            {
                response.Set(own);
            }

            return;
        }

        foreach ((DicomElement element, DicomCharacterSet characterSet) in copied.Where(c => c.Element.VR.UsesSpecificCharacterSet))
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(characterSet.Decode(element.Value.Span).TrimEnd(' ', '\0'));
            if ((utf8.Length & 1) != 0)
            {
                Array.Resize(ref utf8, utf8.Length + 1);
                utf8[^1] = (byte)' ';
            }

            response.Set(new DicomElement(element.Tag, element.VR, utf8));
        }

        response.SetString(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 192");
    }

    private static bool NeedsCharacterSet(ReadOnlySpan<byte> value) => value.IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0 || value.Contains((byte)0x1B);
}
