using Gateway.Dicom.Network.Interop.Tests.Support;

namespace Gateway.Host.Tests.Support;

/// <summary>
/// A modality that must get every instance across: it sends the files not yet acknowledged in batches (one storescu
/// association each) and sends again whatever got no Success, until all are acknowledged. While the gateway is down its
/// connections fail at once and it tries again shortly after.
/// </summary>
internal sealed class ResendingSender(GatewayChildProcess gateway, IReadOnlyList<(string Uid, string File)> instances, int batchSize = 25)
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly object _lock = new();
    private readonly HashSet<string> _acknowledged = new(StringComparer.Ordinal);
    private readonly List<(string File, string Status)> _refusals = [];

    /// <summary>How many instances were acknowledged so far (read while sending).</summary>
    public int AcknowledgedCount
    {
        get
        {
            lock (_lock)
            {
                return _acknowledged.Count;
            }
        }
    }

    /// <summary>The SOP Instance UIDs acknowledged with Success.</summary>
    public IReadOnlyList<string> Acknowledged
    {
        get
        {
            lock (_lock)
            {
                return [.. _acknowledged];
            }
        }
    }

    /// <summary>Responses other than Success (the gateway refused a file rather than dying).</summary>
    public IReadOnlyList<(string File, string Status)> Refusals
    {
        get
        {
            lock (_lock)
            {
                return [.. _refusals];
            }
        }
    }

    /// <summary>storescu runs so far.</summary>
    public int Batches { get; private set; }

    /// <summary>Files without a response on an association the gateway had accepted: in flight when it died.</summary>
    public int Interrupted { get; private set; }

    /// <summary>storescu runs that got no association (the gateway was down or still starting).</summary>
    public int Refused { get; private set; }

    /// <summary>
    /// Sends until every instance is acknowledged; fails after <paramref name="timeout"/>, saying how far it got. Stops
    /// (between storescu runs) when <paramref name="cancellationToken"/> is cancelled: the test failed elsewhere.
    /// </summary>
    public async Task RunAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var uidOf = instances.ToDictionary(i => i.File, i => i.Uid, StringComparer.Ordinal);
        var pending = new List<string>(instances.Select(i => i.File));
        DateTime end = DateTime.UtcNow + timeout;
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (DateTime.UtcNow > end)
            {
                throw new TimeoutException(
                    $"{pending.Count} of {instances.Count} instances still unacknowledged after {timeout.TotalSeconds} s and {Batches} storescu runs; " +
                    $"refusals: {string.Join(", ", Refusals.Select(r => r.Status).Distinct())}{Environment.NewLine}{gateway.Output}");
            }

            string[] batch = [.. pending.Take(batchSize)];
            StorescuBatch result = await StorescuBatch.SendAsync(gateway.VlanPort, batch);
            Batches++;
            if (result.Associated)
            {
                Interrupted += batch.Length - result.Responses.Count;
            }
            else
            {
                Refused++;
            }

            lock (_lock)
            {
                foreach ((string file, string status) in result.Responses)
                {
                    if (status == "Success")
                    {
                        _acknowledged.Add(uidOf[file]);
                    }
                    else
                    {
                        _refusals.Add((file, status));
                    }
                }
            }

            IReadOnlyList<string> acknowledged = result.Acknowledged;
            pending.RemoveAll(acknowledged.Contains);
            if (acknowledged.Count < batch.Length)
            {
                // The association broke (the gateway died or is still starting): a modality waits a moment, then resends.
                await Task.Delay(RetryDelay, cancellationToken);
            }
        }
    }
}
