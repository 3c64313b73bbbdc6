using Gateway.Dicom.Model;

namespace Gateway.Dicom.Network.Services;

/// <summary>What the index keeps of one file: the file itself and the top-level attributes it matches and returns.</summary>
/// <param name="File">The file and the identity of the instance it holds.</param>
/// <param name="Attributes">
/// The indexed attributes of every level (<see cref="QueryRetrieveAttributes"/>) with Specific Character Set, as stored
/// in the file (values little endian).
/// </param>
internal sealed record IndexedInstanceHeader(IndexedInstanceFile File, DicomDataset Attributes);
