using System.Collections.Frozen;
using System.Text.RegularExpressions;
using Gateway.Dicom;

namespace Gateway.Policy.Model;

/// <summary>
/// The built-in SOP class groups (<c>ct</c>, <c>all-image-storage</c>, <c>presentation-states</c> ...) and the
/// query/retrieve information models, derived from the generated UID registry in <see cref="DicomUids"/>.
/// </summary>
/// <remarks>
/// Groups include retired SOP classes: legacy devices still send them (an old ultrasound cart sends Ultrasound Image
/// Storage (Retired)). Membership is by keyword pattern over the registry, so a registry regenerated from a newer
/// standard extends the groups without code changes.
/// </remarks>
public static partial class SopClassCatalog
{
    private static readonly Lazy<Catalog> Data = new(Build);

    /// <summary>The built-in group names and what each holds, in documentation order.</summary>
    public static IReadOnlyList<(string Name, string Description)> Groups { get; } =
    [
        ("all-storage", "every storage SOP class of the registry"),
        ("all-image-storage", "every image storage SOP class (keywords with \"Image\", plus Enhanced US Volume), no presentation states, SR or documents"),
        ("ct", "CT: CT Image, Enhanced CT, Legacy Converted Enhanced CT, CT protocols"),
        ("mr", "MR: MR Image, Enhanced MR, Enhanced MR Color, MR Spectroscopy, Legacy Converted Enhanced MR"),
        ("us", "ultrasound: US Image, US Multi-frame, Enhanced US Volume (and their retired forms)"),
        ("cr", "computed radiography"),
        ("dx", "digital X-ray (for presentation and for processing)"),
        ("mg", "mammography and breast tomosynthesis"),
        ("xa", "X-ray angiography"),
        ("rf", "X-ray radiofluoroscopy"),
        ("nm", "nuclear medicine"),
        ("pt", "PET"),
        ("secondary-capture", "secondary capture images"),
        ("sr", "structured reports (every SR storage SOP class, including key object selection)"),
        ("key-objects", "key object selection documents"),
        ("presentation-states", "softcopy and volumetric presentation states"),
        ("waveforms", "waveforms (ECG, hemodynamic, audio ...)"),
        ("rt", "radiotherapy objects"),
        ("segmentation", "segmentations and surface segmentations"),
        ("encapsulated-documents", "encapsulated PDF, CDA, STL, OBJ, MTL"),
        ("verification", "the Verification SOP class (C-ECHO)"),
    ];

    /// <summary>The standard composite query/retrieve models a <c>find</c> may use (patient root, study root, patient/study only).</summary>
    public static IReadOnlySet<string> FindModels => Data.Value.Find;

    /// <summary>The composite query/retrieve models a <c>move</c> may use (also composite instance root).</summary>
    public static IReadOnlySet<string> MoveModels => Data.Value.Move;

    /// <summary>The composite query/retrieve models a <c>get</c> may use (also composite instance root and without bulk data).</summary>
    public static IReadOnlySet<string> GetModels => Data.Value.Get;

    /// <summary>The worklist information models (Modality Worklist, and the retired General Purpose Worklist).</summary>
    public static IReadOnlySet<string> WorklistModels => Data.Value.Worklist;

    internal static FrozenSet<string> FindModelSet => Data.Value.Find;

    internal static FrozenSet<string> MoveModelSet => Data.Value.Move;

    internal static FrozenSet<string> GetModelSet => Data.Value.Get;

    internal static FrozenSet<string> WorklistModelSet => Data.Value.Worklist;

    /// <summary>True when <paramref name="name"/> is a built-in group.</summary>
    public static bool IsGroup(string name) => Data.Value.Groups.ContainsKey(name);

    /// <summary>The UIDs of a built-in group.</summary>
    public static bool TryGetGroup(string name, out IReadOnlySet<string> uids)
    {
        if (Data.Value.Groups.TryGetValue(name, out FrozenSet<string>? set))
        {
            uids = set;
            return true;
        }

        uids = FrozenSet<string>.Empty;
        return false;
    }

    /// <summary>Finds a registered SOP class by keyword (<c>CTImageStorage</c>).</summary>
    public static bool TryGetKeyword(string keyword, out string uid) => Data.Value.Keywords.TryGetValue(keyword, out uid!);

    /// <summary>A UID's keyword when registered, else the UID.</summary>
    public static string Describe(string uid)
    {
        DicomUidInfo? info = DicomUids.Find(uid);
        return info is null ? uid : info.Keyword;
    }

    [GeneratedRegex("Storage(For[A-Za-z]+)?(Retired|Trial)$", RegexOptions.CultureInvariant)]
    private static partial Regex StoragePattern();

    [GeneratedRegex("^(Enhanced|LegacyConvertedEnhanced)?CT", RegexOptions.CultureInvariant)]
    private static partial Regex CtPattern();

    [GeneratedRegex("^(Enhanced|LegacyConvertedEnhanced)?MR", RegexOptions.CultureInvariant)]
    private static partial Regex MrPattern();

    [GeneratedRegex("^(Enhanced)?(Ultrasound|US)", RegexOptions.CultureInvariant)]
    private static partial Regex UsPattern();

    [GeneratedRegex("^(DigitalMammography|BreastTomosynthesis|BreastProjection)", RegexOptions.CultureInvariant)]
    private static partial Regex MgPattern();

    [GeneratedRegex("^(XRayAngiographic|EnhancedXA|XRay3DAngiographic)", RegexOptions.CultureInvariant)]
    private static partial Regex XaPattern();

    [GeneratedRegex("^(XRayRadiofluoroscopic|EnhancedXRF)", RegexOptions.CultureInvariant)]
    private static partial Regex RfPattern();

    [GeneratedRegex("^(PositronEmissionTomography|LegacyConvertedEnhancedPET|EnhancedPET)", RegexOptions.CultureInvariant)]
    private static partial Regex PtPattern();

    [GeneratedRegex("(SR(Document)?Storage(Trial)?$|^SR[A-Za-z]*StorageTrial$|^ProcedureLogStorage$|^KeyObjectSelectionDocumentStorage$)", RegexOptions.CultureInvariant)]
    private static partial Regex SrPattern();

    [GeneratedRegex("^(RT|CArm|Tomotherapeutic|Robotic)", RegexOptions.CultureInvariant)]
    private static partial Regex RtPattern();

    private static Catalog Build()
    {
        DicomUidInfo[] sopClasses = [.. DicomUids.All.Where(i => i.Type == DicomUidType.SopClass).OrderBy(i => i.Uid.Value, StringComparer.Ordinal)];
        // DicomUidInfo.IsStorage misses retired and trial classes ("UltrasoundImageStorageRetired", "SRTextStorageTrial").
        DicomUidInfo[] storage = [.. sopClasses.Where(i => i.IsStorage || StoragePattern().IsMatch(i.Keyword))];

        FrozenSet<string> Where(Func<string, bool> keyword) =>
            storage.Where(i => keyword(i.Keyword)).Select(i => i.Uid.Value).ToFrozenSet(StringComparer.Ordinal);

        var groups = new Dictionary<string, FrozenSet<string>>(StringComparer.Ordinal)
        {
            ["all-storage"] = Where(_ => true),
            ["all-image-storage"] = Where(k => (k.Contains("Image", StringComparison.Ordinal) && !k.Contains("PresentationState", StringComparison.Ordinal))
                || k == "EnhancedUSVolumeStorage"),
            ["ct"] = Where(k => CtPattern().IsMatch(k)),
            ["mr"] = Where(k => MrPattern().IsMatch(k)),
            ["us"] = Where(k => UsPattern().IsMatch(k)),
            ["cr"] = Where(k => k.StartsWith("ComputedRadiography", StringComparison.Ordinal)),
            ["dx"] = Where(k => k.StartsWith("DigitalXRay", StringComparison.Ordinal)),
            ["mg"] = Where(k => MgPattern().IsMatch(k)),
            ["xa"] = Where(k => XaPattern().IsMatch(k)),
            ["rf"] = Where(k => RfPattern().IsMatch(k)),
            ["nm"] = Where(k => k.StartsWith("NuclearMedicine", StringComparison.Ordinal)),
            ["pt"] = Where(k => PtPattern().IsMatch(k)),
            ["secondary-capture"] = Where(k => k.Contains("SecondaryCapture", StringComparison.Ordinal)),
            ["sr"] = Where(k => SrPattern().IsMatch(k)),
            ["key-objects"] = Where(k => k == "KeyObjectSelectionDocumentStorage"),
            ["presentation-states"] = Where(k => k.Contains("PresentationState", StringComparison.Ordinal)),
            ["waveforms"] = Where(k => k.Contains("Waveform", StringComparison.Ordinal)),
            ["rt"] = Where(k => RtPattern().IsMatch(k)),
            ["segmentation"] = Where(k => k is "SegmentationStorage" or "SurfaceSegmentationStorage"),
            ["encapsulated-documents"] = Where(k => k.StartsWith("Encapsulated", StringComparison.Ordinal)),
            ["verification"] = new[] { DicomUids.Verification.Value }.ToFrozenSet(StringComparer.Ordinal),
        };

        FrozenSet<string> Models(params string[] keywords) =>
            sopClasses.Where(i => keywords.Contains(i.Keyword, StringComparer.Ordinal)).Select(i => i.Uid.Value).ToFrozenSet(StringComparer.Ordinal);

        return new Catalog(
            groups.ToFrozenDictionary(StringComparer.Ordinal),
            sopClasses.GroupBy(i => i.Keyword, StringComparer.Ordinal).ToFrozenDictionary(g => g.Key, g => g.First().Uid.Value, StringComparer.Ordinal),
            Models("PatientRootQueryRetrieveInformationModelFind", "StudyRootQueryRetrieveInformationModelFind", "PatientStudyOnlyQueryRetrieveInformationModelFind"),
            Models("PatientRootQueryRetrieveInformationModelMove", "StudyRootQueryRetrieveInformationModelMove", "PatientStudyOnlyQueryRetrieveInformationModelMove",
                "CompositeInstanceRootRetrieveMove"),
            Models("PatientRootQueryRetrieveInformationModelGet", "StudyRootQueryRetrieveInformationModelGet", "PatientStudyOnlyQueryRetrieveInformationModelGet",
                "CompositeInstanceRootRetrieveGet", "CompositeInstanceRetrieveWithoutBulkDataGet"),
            Models("ModalityWorklistInformationModelFind", "GeneralPurposeWorklistInformationModelFind"));
    }

    private sealed record Catalog(
        FrozenDictionary<string, FrozenSet<string>> Groups,
        FrozenDictionary<string, string> Keywords,
        FrozenSet<string> Find,
        FrozenSet<string> Move,
        FrozenSet<string> Get,
        FrozenSet<string> Worklist);
}
