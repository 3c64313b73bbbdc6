using Gateway.Dicom;
using Gateway.Dicom.Model;

namespace Gateway.DicomWeb.Json;

/// <summary>
/// An attribute read from DICOM JSON with a "BulkDataURI" (PS3.18 F.2.6): the data set holds it with an empty value until
/// the caller fetches the bytes and replaces it (<c>Dataset.Set(new DicomElement(Tag, VR, bytes))</c>).
/// </summary>
/// <param name="Dataset">The data set (or sequence item) that holds the attribute.</param>
/// <param name="Path">The attribute path, "GGGGEEEE" or nested "SSSSSSSS/i/GGGGEEEE".</param>
/// <param name="Tag">The attribute's tag.</param>
/// <param name="VR">The attribute's VR.</param>
/// <param name="Uri">The URI as written; it is not resolved, validated or fetched here.</param>
public sealed record DicomJsonBulkData(DicomDataset Dataset, string Path, DicomTag Tag, DicomVR VR, string Uri);
