using Gateway.Dicom;
using Gateway.Dicom.Dictionary;
using Gateway.Dicom.Model;

namespace Gateway.Cli.Dicom;

/// <summary>Builds a query identifier from <c>-k</c> keys, as findscu takes them.</summary>
internal static class QueryKeys
{
    /// <summary>
    /// Parses keys: <c>Keyword=Value</c>, <c>gggg,eeee=Value</c>, <c>Keyword</c> (a return key, empty value), and
    /// <c>Sequence[0].Keyword=Value</c> for one item of one sequence.
    /// </summary>
    public static DicomDataset Build(IEnumerable<string> keys, string? level)
    {
        var identifier = new DicomDataset();
        if (level is not null)
        {
            string upper = level.ToUpperInvariant();
            if (upper is not ("PATIENT" or "STUDY" or "SERIES" or "IMAGE"))
            {
                throw new CliInputException($"--level {level} is not PATIENT, STUDY, SERIES or IMAGE");
            }

            identifier.SetString(DicomTags.QueryRetrieveLevel, DicomVR.CS, upper);
        }

        foreach (string key in keys)
        {
            int eq = key.IndexOf('=', StringComparison.Ordinal);
            string path = eq < 0 ? key : key[..eq];
            string value = eq < 0 ? string.Empty : key[(eq + 1)..];
            DicomDataset target = identifier;
            int dot = path.IndexOf('.', StringComparison.Ordinal);
            if (dot > 0)
            {
                string sequencePart = path[..dot];
                int bracket = sequencePart.IndexOf('[', StringComparison.Ordinal);
                string sequenceName = bracket < 0 ? sequencePart : sequencePart[..bracket];
                if (bracket >= 0 && sequencePart[bracket..] != "[0]")
                {
                    throw new CliInputException($"-k {key}: only item [0] of a sequence can be given");
                }

                (DicomTag sequenceTag, DicomVR sequenceVR) = Resolve(sequenceName, key);
                if (sequenceVR != DicomVR.SQ)
                {
                    throw new CliInputException($"-k {key}: {sequenceName} is not a sequence");
                }

                if (identifier.GetSequence(sequenceTag) is not { } sequence)
                {
                    sequence = new DicomSequence(sequenceTag, [new DicomDataset(identifier)]);
                    identifier.Set(sequence);
                }

                target = sequence.Items[0];
                path = path[(dot + 1)..];
            }

            (DicomTag tag, DicomVR vr) = Resolve(path, key);
            if (vr == DicomVR.SQ)
            {
                if (value.Length > 0)
                {
                    throw new CliInputException($"-k {key}: a sequence key takes no value");
                }

                target.Set(new DicomSequence(tag, []));
            }
            else if (vr.Kind == DicomVRKind.Text)
            {
                target.SetString(tag, vr, value.Length == 0 ? [] : value.Split('\\'));
            }
            else if (value.Length == 0)
            {
                target.Set(new DicomElement(tag, vr, ReadOnlyMemory<byte>.Empty));
            }
            else
            {
                throw new CliInputException($"-k {key}: values of VR {vr} cannot be given on the command line");
            }
        }

        return identifier;
    }

    private static (DicomTag Tag, DicomVR VR) Resolve(string name, string key)
    {
        DicomDictionary dictionary = DicomDictionary.Standard;
        DicomDictionaryEntry? entry;
        DicomTag tag;
        if (DicomTag.TryParse(name, out tag))
        {
            entry = dictionary.Find(tag);
        }
        else
        {
            entry = dictionary.FindByKeyword(name) ?? throw new CliInputException($"-k {key}: unknown attribute '{name}'");
            tag = new DicomTag(entry.GroupLow, entry.ElementLow);
        }

        DicomVR vr = entry?.ValueRepresentations is { Count: > 0 } vrs ? vrs[0] : DicomVR.UN;
        return (tag, vr);
    }
}
