using Gateway.Audit.Checkpoints;

namespace Gateway.Audit.Verification;

/// <summary>Compares the tree's roots with the checkpoints signed at each size, locating a rewrite between checkpoints.</summary>
internal sealed class RootChecks(Dictionary<long, List<(int Number, Checkpoint Checkpoint)>> bySize, Action<AuditVerificationProblem> add)
{
    private long _lastMatched;
    private bool _reported;

    /// <summary>Checks the root of the first <paramref name="size"/> records against every checkpoint of that size.</summary>
    public void Check(long size, byte[] root)
    {
        if (!bySize.TryGetValue(size, out List<(int Number, Checkpoint Checkpoint)>? due))
        {
            return;
        }

        foreach ((int number, Checkpoint checkpoint) in due)
        {
            if (root.AsSpan().SequenceEqual(checkpoint.Root))
            {
                _lastMatched = Math.Max(_lastMatched, size);
                continue;
            }

            // The records are self-consistent (hashes and chain check out) yet differ from what was signed: they were
            // rewritten. The change lies after the last checkpoint that still matches.
            if (!_reported)
            {
                add(new AuditVerificationProblem(_lastMatched, number, null, null,
                    $"Merkle root of the first {size} records does not match the signed checkpoint: records {_lastMatched} to {size - 1} were altered or replaced"));
                _reported = true;
            }
            else
            {
                add(new AuditVerificationProblem(null, number, null, null, $"Merkle root at size {size} does not match the signed checkpoint"));
            }
        }
    }
}
