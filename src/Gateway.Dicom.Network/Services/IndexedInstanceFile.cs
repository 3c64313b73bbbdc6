namespace Gateway.Dicom.Network.Services;

/// <summary>One Part 10 file of a <see cref="DirectoryQueryRetrieveService"/> index: what a C-STORE sub-operation needs to send it.</summary>
/// <param name="Path">The full path of the file.</param>
/// <param name="SopClassUid">Media Storage SOP Class UID (0002,0002).</param>
/// <param name="SopInstanceUid">Media Storage SOP Instance UID (0002,0003).</param>
/// <param name="TransferSyntax">The transfer syntax the data set is encoded in.</param>
internal sealed record IndexedInstanceFile(string Path, string SopClassUid, string SopInstanceUid, DicomTransferSyntax TransferSyntax);
