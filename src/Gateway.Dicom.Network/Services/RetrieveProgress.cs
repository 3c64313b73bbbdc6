namespace Gateway.Dicom.Network.Services;

/// <summary>Sub-operation counts of a C-MOVE or C-GET (PS3.4 C.4.2.1.5).</summary>
/// <param name="Remaining">Sub-operations not yet done.</param>
/// <param name="Completed">Sub-operations that succeeded.</param>
/// <param name="Failed">Sub-operations that failed.</param>
/// <param name="Warning">Sub-operations that completed with a warning.</param>
/// <param name="FailedSopInstanceUids">The SOP instances that failed, for the final response's Failed SOP Instance UID List.</param>
public sealed record RetrieveProgress(int Remaining, int Completed, int Failed, int Warning, IReadOnlyList<string> FailedSopInstanceUids);
