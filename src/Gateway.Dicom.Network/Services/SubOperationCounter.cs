namespace Gateway.Dicom.Network.Services;

/// <summary>Counts the sub-operations of one C-MOVE or C-GET (PS3.4 C.4.2.1.5) and lists the failed instances.</summary>
internal sealed class SubOperationCounter
{
    private readonly int _total;
    private readonly List<string> _failed = [];

    public SubOperationCounter(int total)
    {
        _total = total;
    }

    public int Completed { get; private set; }

    public int Failed { get; private set; }

    public int Warning { get; private set; }

    /// <summary>
    /// The counts now. The failed list is a live view (copying it after every sub-operation would cost quadratic time);
    /// the dispatcher reads it only for the final response, when it no longer changes.
    /// </summary>
    public RetrieveProgress Progress => new(_total - Completed - Failed - Warning, Completed, Failed, Warning, _failed.AsReadOnly());

    public void Record(string sopInstanceUid, SubOperationOutcome outcome)
    {
        switch (outcome)
        {
            case SubOperationOutcome.Completed:
                Completed++;
                break;
            case SubOperationOutcome.Warning:
                Warning++;
                break;
            default:
                Failed++;
                _failed.Add(sopInstanceUid);
                break;
        }
    }
}
