namespace Gateway.Audit.Verification;

/// <summary>One thing verification found wrong, located as precisely as the evidence allows.</summary>
/// <param name="RecordIndex">The first record concerned, when known.</param>
/// <param name="CheckpointNumber">The checkpoint concerned (0-based position in the checkpoint file), when it is about one.</param>
/// <param name="File">The file concerned, when known.</param>
/// <param name="Offset">The byte offset in <paramref name="File"/>, when known.</param>
/// <param name="Message">What is wrong.</param>
public sealed record AuditVerificationProblem(long? RecordIndex, int? CheckpointNumber, string? File, long? Offset, string Message)
{
    /// <summary>One line: where, then what.</summary>
    public override string ToString()
    {
        var where = new List<string>();
        if (RecordIndex is { } index)
        {
            where.Add($"record {index}");
        }

        if (CheckpointNumber is { } number)
        {
            where.Add($"checkpoint #{number}");
        }

        if (File is not null)
        {
            where.Add(Offset is { } offset ? $"{File} offset {offset}" : File);
        }

        return (where.Count > 0 ? string.Join(", ", where) + ": " : string.Empty) + Message;
    }
}
