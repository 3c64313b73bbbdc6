using System.CommandLine;
using System.Globalization;
using Gateway.Audit;
using Gateway.Audit.Checkpoints;
using Gateway.Audit.Export;
using Gateway.Audit.Records;
using Gateway.Audit.Storage;
using Gateway.Audit.Verification;

namespace Gateway.Cli.Audit;

/// <summary>
/// <c>gatewayctl audit verify|search|export|verify-export|prove|public-key|rotate-key</c>: the compliance officer's view
/// of the tamper-evident audit log. Every command works on the files, offline.
/// </summary>
/// <remarks>
/// Defaults: <c>--dir</c> is /var/lib/gateway/audit; <c>--key-file</c> is DIR/keys/data.key; <c>--public-key</c> is
/// DIR/keys/signing.pub. Exit codes: 0 success, 1 usage, 2 bad input (missing log or key, malformed files),
/// 4 verification failed.
/// </remarks>
internal static class AuditCommands
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var audit = new Command("audit", "Verify, search, export and prove the tamper-evident audit log.");
        audit.Subcommands.Add(CreateVerify(stdout, stderr));
        audit.Subcommands.Add(CreateSearch(stdout, stderr));
        audit.Subcommands.Add(AuditExportCommand.Create(stdout, stderr));
        audit.Subcommands.Add(CreateVerifyExport(stdout, stderr));
        audit.Subcommands.Add(CreateProve(stdout, stderr));
        audit.Subcommands.Add(CreatePublicKey(stdout, stderr));
        audit.Subcommands.Add(AuditRotateKeyCommand.Create(stdout, stderr));
        return audit;
    }

    private static Command CreateVerify(TextWriter stdout, TextWriter stderr)
    {
        var options = new AuditCommandOptions();
        var allowUnsigned = new Option<bool>("--allow-unsigned-tail")
        {
            Description = "Accept records after the latest checkpoint (verifying a log the gateway is still writing).",
        };
        var deep = new Option<bool>("--decrypt")
        {
            Description = "Also decrypt every record (needs the data key) and check its clear header; names a forged record exactly.",
        };
        var command = new Command("verify", "Verify the whole log: records, hash chain, Merkle roots, every checkpoint signature. Exits 4 when anything is wrong.")
        {
            allowUnsigned,
            deep,
        };
        options.AddLocation(command, keyFile: true, publicKey: true);
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            NoteVerifier verifier = options.Verifier(result);
            AuditDataKey? key = result.GetValue(deep) ? options.DataKey(result) : null;
            AuditVerificationReport report;
            try
            {
                report = await Task.Run(() => AuditLogVerifier.Verify(options.Dir(result), verifier, new AuditVerifyOptions
                {
                    DataKey = key,
                    AllowUnsignedTail = result.GetValue(allowUnsigned),
                }), ct).ConfigureAwait(false);
            }
            finally
            {
                key?.Dispose();
            }

            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"records: {report.RecordCount}, checkpoints: {report.ValidCheckpointCount} of {report.CheckpointCount} valid, latest signed size: {report.LatestCheckpoint?.Size.ToString(CultureInfo.InvariantCulture) ?? "none"}, unsigned records: {report.UnsignedRecords}{(report.Decrypted ? ", every record decrypted" : string.Empty)}")).ConfigureAwait(false);
            if (report.IsValid)
            {
                await stdout.WriteLineAsync("OK: the log verifies").ConfigureAwait(false);
                return ExitCodes.Success;
            }

            foreach (AuditVerificationProblem problem in report.Problems)
            {
                await stdout.WriteLineAsync("FAIL: " + problem).ConfigureAwait(false);
            }

            return AuditExitCodes.VerificationFailed;
        }));
        return command;
    }

    private static Command CreateSearch(TextWriter stdout, TextWriter stderr)
    {
        var options = new AuditCommandOptions();
        var format = new Option<string>("--format")
        {
            Description = "text (one summary line per record) or jsonl (the full records).",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "jsonl");
        var command = new Command("search", "Print the records that match the filters (decrypts with the data key; output contains PHI).") { format };
        options.AddLocation(command, keyFile: true, publicKey: false);
        options.AddFilters(command);
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            AuditFilter filter = options.Filter(result);
            using AuditDataKey key = options.DataKey(result);
            bool jsonl = result.GetValue(format) == "jsonl";
            int count = 0;
            foreach (AuditSearchHit hit in AuditSearch.Search(options.Dir(result), key, filter))
            {
                ct.ThrowIfCancellationRequested();
                await stdout.WriteLineAsync(jsonl ? AuditRecordRenderer.JsonLine(hit.Index, hit.Record) : AuditRecordRenderer.Summary(hit.Index, hit.Record)).ConfigureAwait(false);
                count++;
            }

            await stderr.WriteLineAsync($"{count} record(s)").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateVerifyExport(TextWriter stdout, TextWriter stderr)
    {
        var bundle = new Argument<string>("BUNDLE") { Description = "The export bundle: a directory or a .zip." };
        var publicKey = new Option<string?>("--public-key") { Description = "A trusted copy of the log's verifier key (default: the bundle's own copy, which proves integrity, not origin)." };
        var command = new Command("verify-export", "Check an export bundle offline: signature, inclusion of every record, and that the records are untouched. Exits 4 when not.")
        {
            bundle,
            publicKey,
        };
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            NoteVerifier? trusted = null;
            if (result.GetValue(publicKey) is { } keyPath)
            {
                try
                {
                    trusted = NoteVerifier.Parse(await File.ReadAllTextAsync(keyPath, ct).ConfigureAwait(false));
                }
                catch (FormatException ex)
                {
                    throw new CliInputException($"{keyPath}: {ex.Message}");
                }
            }

            string path = result.GetValue(bundle)!;
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                throw new CliInputException($"no bundle at {path}");
            }

            AuditBundleReport report = await Task.Run(() => AuditBundleVerifier.Verify(path, trusted), ct).ConfigureAwait(false);
            if (report.IsValid)
            {
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"OK: {report.VerifiedRecords} record(s) included in the log signed by {report.Checkpoint!.Origin} at size {report.Checkpoint.Size} ({report.Checkpoint.Time:yyyy-MM-dd'T'HH:mm:ss'Z'}), and untouched")).ConfigureAwait(false);
                if (!report.KeyTrusted)
                {
                    await stdout.WriteLineAsync("note: checked with the bundle's own public key; pass --public-key with a trusted copy to prove the origin").ConfigureAwait(false);
                }

                return ExitCodes.Success;
            }

            foreach (string problem in report.Problems)
            {
                await stdout.WriteLineAsync("FAIL: " + problem).ConfigureAwait(false);
            }

            return AuditExitCodes.VerificationFailed;
        }));
        return command;
    }

    private static Command CreateProve(TextWriter stdout, TextWriter stderr)
    {
        var options = new AuditCommandOptions();
        var record = new Option<long?>("--record") { Description = "Print the inclusion proof of this record index." };
        var size = new Option<long?>("--size") { Description = "The tree size for --record (default: the latest signed checkpoint's size)." };
        var from = new Option<long?>("--from") { Description = "Print the consistency proof from this tree size ..." };
        var to = new Option<long?>("--to") { Description = "... to this tree size." };
        var command = new Command("prove", "Print an RFC 9162 inclusion proof (--record N) or consistency proof (--from SIZE --to SIZE), hashes in hex.")
        {
            record,
            size,
            from,
            to,
        };
        options.AddLocation(command, keyFile: false, publicKey: true);
        command.Validators.Add(r =>
        {
            bool inclusion = r.GetValue(record) is not null;
            bool consistency = r.GetValue(from) is not null || r.GetValue(to) is not null;
            if (inclusion == consistency || (consistency && (r.GetValue(from) is null || r.GetValue(to) is null)))
            {
                r.AddError("give either --record N, or both --from SIZE and --to SIZE");
            }
        });
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            string dir = options.Dir(result);
            Checkpoint? latest = File.Exists(result.GetValue(options.PublicKey) ?? new AuditLogPaths(dir).PublicKey)
                ? AuditProofs.LatestCheckpoint(dir, options.Verifier(result))
                : null;
            if (result.GetValue(record) is { } index)
            {
                long treeSize = result.GetValue(size) ?? latest?.Size ?? throw new CliInputException("no signed checkpoint yet: give --size");
                InclusionProof proof = await Task.Run(() => AuditProofs.Inclusion(dir, index, treeSize), ct).ConfigureAwait(false);
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"inclusion proof: record {proof.Index} in tree size {proof.TreeSize}")).ConfigureAwait(false);
                await stdout.WriteLineAsync("leaf hash: " + Convert.ToHexStringLower(proof.LeafHash)).ConfigureAwait(false);
                await stdout.WriteLineAsync("root: " + Convert.ToHexStringLower(proof.Root) + SignedNote(latest, proof.TreeSize, proof.Root)).ConfigureAwait(false);
                await WriteHashesAsync(stdout, proof.Proof).ConfigureAwait(false);
                await stdout.WriteLineAsync(proof.Verified ? "verified: yes (RFC 9162 2.1.3.2)" : "verified: NO").ConfigureAwait(false);
                return proof.Verified ? ExitCodes.Success : AuditExitCodes.VerificationFailed;
            }

            ConsistencyProof consistency = await Task.Run(() => AuditProofs.Consistency(dir, result.GetValue(from)!.Value, result.GetValue(to)!.Value), ct).ConfigureAwait(false);
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"consistency proof: tree size {consistency.FromSize} -> {consistency.ToSize}")).ConfigureAwait(false);
            await stdout.WriteLineAsync("old root: " + Convert.ToHexStringLower(consistency.FromRoot)).ConfigureAwait(false);
            await stdout.WriteLineAsync("new root: " + Convert.ToHexStringLower(consistency.ToRoot) + SignedNote(latest, consistency.ToSize, consistency.ToRoot)).ConfigureAwait(false);
            await WriteHashesAsync(stdout, consistency.Proof).ConfigureAwait(false);
            await stdout.WriteLineAsync(consistency.Verified ? "verified: yes (RFC 9162 2.1.4.2)" : "verified: NO").ConfigureAwait(false);
            return consistency.Verified ? ExitCodes.Success : AuditExitCodes.VerificationFailed;
        }));
        return command;
    }

    private static string SignedNote(Checkpoint? latest, long size, byte[] root) =>
        latest is not null && latest.Size == size
            ? latest.Root.AsSpan().SequenceEqual(root) ? " (matches the latest signed checkpoint)" : " (DOES NOT match the latest signed checkpoint)"
            : string.Empty;

    private static async Task WriteHashesAsync(TextWriter stdout, IReadOnlyList<byte[]> hashes)
    {
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"proof ({hashes.Count} hashes):")).ConfigureAwait(false);
        foreach (byte[] hash in hashes)
        {
            await stdout.WriteLineAsync("  " + Convert.ToHexStringLower(hash)).ConfigureAwait(false);
        }
    }

    private static Command CreatePublicKey(TextWriter stdout, TextWriter stderr)
    {
        var options = new AuditCommandOptions();
        var command = new Command("public-key", "Print the log's verifier key (name+keyid+base64 Ed25519 key), to publish for auditors.");
        options.AddLocation(command, keyFile: false, publicKey: false);
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            NoteVerifier verifier = options.Verifier(result);
            await stdout.WriteLineAsync(verifier.Encode()).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>Runs a command body, mapping bad input and unusable logs to exit code 2 and one <c>error:</c> line.</summary>
    internal static async Task<int> RunGuardedAsync(TextWriter stderr, Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is CliInputException or AuditLogException or IOException or UnauthorizedAccessException or FormatException or ArgumentException)
        {
            await stderr.WriteLineAsync("error: " + OneLine(ex.Message)).ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
    }

    private static string OneLine(string message) =>
        string.Concat(message.Select(c => char.IsControl(c) ? string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}") : c.ToString()));
}
