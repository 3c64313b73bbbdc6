using Gateway.Dicom;
using Gateway.Dicom.Model;
using Gateway.DicomWeb.Json;
using Gateway.DicomWeb;

namespace Gateway.DicomWeb.Tests.Interop;

/// <summary>
/// Compares two data sets by meaning: text by its decoded values (each side under its own character set), binary values by
/// their bytes, sequences item by item; attributes one side only carries as a BulkDataURI are compared by presence.
/// </summary>
internal static class DatasetComparison
{
    /// <summary>Every difference, as "path: what", or an empty list.</summary>
    /// <param name="expected">The reference (for example the file as the codec reads it).</param>
    /// <param name="actual">The data set under test.</param>
    /// <param name="bulkPaths">Paths of <paramref name="actual"/>'s attributes that came as BulkDataURI (their values are empty).</param>
    /// <param name="ignored">Top-level tags to leave out on both sides.</param>
    public static List<string> Differences(DicomDataset expected, DicomDataset actual, IReadOnlySet<string> bulkPaths, IReadOnlySet<DicomTag>? ignored = null)
    {
        var differences = new List<string>();
        Compare(expected, actual, string.Empty, bulkPaths, ignored ?? new HashSet<DicomTag>(), differences);
        return differences;
    }

    private static void Compare(DicomDataset expected, DicomDataset actual, string prefix, IReadOnlySet<string> bulkPaths, IReadOnlySet<DicomTag> ignored, List<string> differences)
    {
        var tags = expected.Select(i => i.Tag).Union(actual.Select(i => i.Tag)).Where(t => !t.IsGroupLength && !ignored.Contains(t)).Order();
        foreach (DicomTag tag in tags)
        {
            string path = DicomAttributePath.Child(prefix, tag);
            DicomItem? e = expected[tag];
            DicomItem? a = actual[tag];
            if (e is null || a is null)
            {
                differences.Add($"{path}: {(e is null ? "only in the actual" : "missing")}");
                continue;
            }

            if (e.VR != a.VR)
            {
                differences.Add($"{path}: VR {e.VR} against {a.VR}");
                continue;
            }

            switch (e, a)
            {
                case (DicomSequence es, DicomSequence @as):
                    if (es.Items.Count != @as.Items.Count)
                    {
                        differences.Add($"{path}: {es.Items.Count} items against {@as.Items.Count}");
                        break;
                    }

                    for (int i = 0; i < es.Items.Count; i++)
                    {
                        Compare(es.Items[i], @as.Items[i], DicomAttributePath.Item(path, i), bulkPaths, new HashSet<DicomTag>(), differences);
                    }

                    break;
                case (_, DicomElement ae) when ae.Length == 0 && bulkPaths.Contains(path):
                    break;
                case (DicomElement ee, DicomElement ae) when ee.VR.Kind == DicomVRKind.Text:
                    string[] ev = [.. expected.GetStrings(tag)];
                    string[] av = [.. actual.GetStrings(tag)];

                    // IS and DS are numbers in JSON: 2.50 and 2.5, 1.2e2 and 120 are one value.
                    bool same = ee.VR == DicomVR.IS || ee.VR == DicomVR.DS
                        ? ev.Length == av.Length && ev.Zip(av).All(p => p.First == p.Second || (Number(p.First) is { } x && x == Number(p.Second)))
                        : ev.SequenceEqual(av);
                    if (!same)
                    {
                        differences.Add($"{path}: [{string.Join('|', ev)}] against [{string.Join('|', av)}]");
                    }

                    break;
                case (DicomElement ee, DicomElement ae):
                    if (!ee.Value.Span.SequenceEqual(ae.Value.Span))
                    {
                        differences.Add($"{path}: {Convert.ToHexString(ee.Value.Span)} against {Convert.ToHexString(ae.Value.Span)}");
                    }

                    break;
                default:
                    differences.Add($"{path}: {e.GetType().Name} against {a.GetType().Name}");
                    break;
            }
        }
    }

    private static decimal? Number(string text) =>
        decimal.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out decimal d) ? d : null;
}
