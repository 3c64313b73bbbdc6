namespace Gateway.Dicom;

/// <summary>A registered UID with its keyword and type (PS3.6 Annex A).</summary>
/// <param name="Uid">The UID.</param>
/// <param name="Keyword">Its keyword, for example "CTImageStorage".</param>
/// <param name="Type">What it identifies.</param>
/// <param name="IsRetired">True when the standard retired it.</param>
public sealed record DicomUidInfo(DicomUid Uid, string Keyword, DicomUidType Type, bool IsRetired)
{
    /// <summary>True for storage SOP classes: keywords ending in "Storage", "StorageForPresentation" or "StorageForProcessing" (PS3.4 Annex B).</summary>
    public bool IsStorage => Type == DicomUidType.SopClass &&
        (Keyword.EndsWith("Storage", StringComparison.Ordinal) || Keyword.Contains("StorageFor", StringComparison.Ordinal));
}
