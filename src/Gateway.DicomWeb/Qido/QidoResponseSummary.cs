namespace Gateway.DicomWeb.Qido;

/// <summary>What a QIDO-RS response held.</summary>
/// <param name="Written">Results written.</param>
/// <param name="MoreAvailable">
/// True when matches beyond the limit exist (or the request's limit was lowered): the answer then carries
/// <c>Warning: 299 {host}: "There are additional results that can be requested"</c> (PS3.18 8.3.4.4).
/// </param>
public sealed record QidoResponseSummary(int Written, bool MoreAvailable);
