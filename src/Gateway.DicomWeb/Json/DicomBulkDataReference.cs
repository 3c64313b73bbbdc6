namespace Gateway.DicomWeb.Json;

/// <summary>A bulk data value the DICOM JSON writer may replace by a "BulkDataURI" (PS3.18 F.2.6).</summary>
/// <param name="Path">
/// Where the value stands: "GGGGEEEE" for a top-level attribute, and "SSSSSSSS/i/GGGGEEEE" inside item i (from 0) of sequence
/// SSSSSSSS, nested as deep as the data set is (the form Orthanc uses after ".../bulk/").
/// </param>
/// <param name="Tag">The attribute's tag.</param>
/// <param name="VR">The attribute's VR (OB, OD, OF, OL, OV, OW, UN, or the VR of encapsulated pixel data).</param>
/// <param name="Length">The value length in bytes, or -1 for encapsulated pixel data read from a stream (not known in advance).</param>
public sealed record DicomBulkDataReference(string Path, Gateway.Dicom.DicomTag Tag, Gateway.Dicom.DicomVR VR, long Length);
