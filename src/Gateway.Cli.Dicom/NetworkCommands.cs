using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Gateway.Dicom;
using Gateway.Dicom.IO;
using Gateway.Dicom.Json;
using Gateway.Dicom.Model;
using Gateway.Dicom.Network;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Pdus;
using Gateway.Dicom.Network.Services;
using Microsoft.Extensions.Logging;

namespace Gateway.Cli.Dicom;

/// <summary><c>gatewayctl dicom echo|store|find|move|get|scp</c>: the DIMSE services from the command line, as DCMTK's tools offer them.</summary>
internal static class NetworkCommands
{
    private static readonly DicomTransferSyntax[] Uncompressed =
    [
        DicomTransferSyntax.ExplicitVRLittleEndian,
        DicomTransferSyntax.ImplicitVRLittleEndian,
    ];

    public static IEnumerable<Command> Create(TextWriter stdout, TextWriter stderr) =>
    [
        CreateEcho(stdout, stderr),
        CreateStore(stdout, stderr),
        CreateQuery("find", "C-FIND: query a Q/R or worklist SCP; prints each match as one line of DICOM JSON.", stdout, stderr),
        CreateQuery("move", "C-MOVE: ask a Q/R SCP to send matching instances to --destination.", stdout, stderr),
        CreateQuery("get", "C-GET: retrieve matching instances on the same association into --out.", stdout, stderr),
        CreateScp(stdout, stderr),
    ];

    private static Command CreateEcho(TextWriter stdout, TextWriter stderr)
    {
        var net = new NetworkCommandOptions();
        var command = new Command("echo", "C-ECHO: check that a peer answers DICOM.");
        net.AddTo(command);
        command.SetAction((result, ct) => RunAsync(stderr, async () =>
        {
            var contexts = AssociationRequest.PresentationContextsFor([DicomUids.Verification.Value], Uncompressed);
            DicomAssociation association = await DicomClient.ConnectAsync(net.Client(result), net.Request(result, contexts), cancellationToken: ct).ConfigureAwait(false);
            await using (association.ConfigureAwait(false))
            {
                DimseStatus status = await association.EchoAsync(ct).ConfigureAwait(false);
                await association.ReleaseAsync(ct).ConfigureAwait(false);
                await stdout.WriteLineAsync($"C-ECHO status {status}").ConfigureAwait(false);
                return status.Category == DimseStatusCategory.Success;
            }
        }));
        return command;
    }

    private static Command CreateStore(TextWriter stdout, TextWriter stderr)
    {
        var net = new NetworkCommandOptions();
        var paths = new Argument<string[]>("FILE_OR_DIR") { Description = "Files, or directories searched recursively.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("store", "C-STORE: send DICOM files (directories recursively) over one association.") { paths };
        net.AddTo(command);
        command.SetAction((result, ct) => RunAsync(stderr, async () =>
        {
            List<(string Path, string SopClass, DicomTransferSyntax Syntax)> files = await ScanAsync(result.GetValue(paths)!, stderr, ct).ConfigureAwait(false);
            if (files.Count == 0)
            {
                throw new CliInputException("no DICOM file to send");
            }

            // One context per SOP class and file transfer syntax, also offering the uncompressed ones to convert to.
            var proposals = new List<PresentationContextProposal>();
            foreach (var group in files.GroupBy(f => (f.SopClass, f.Syntax.Uid.Value)))
            {
                if (proposals.Count == 128)
                {
                    throw new CliInputException("the files need more than 128 presentation contexts; send them in smaller batches");
                }

                string[] offered = [group.Key.Value, .. Uncompressed.Select(t => t.Uid.Value).Where(u => u != group.Key.Value && !group.First().Syntax.IsEncapsulated)];
                proposals.Add(new PresentationContextProposal((byte)((proposals.Count * 2) + 1), group.Key.SopClass, offered));
            }

            DicomAssociation association = await DicomClient.ConnectAsync(net.Client(result), net.Request(result, proposals), cancellationToken: ct).ConfigureAwait(false);
            int failed = 0;
            await using (association.ConfigureAwait(false))
            {
                foreach ((string path, string _, DicomTransferSyntax _) in files)
                {
                    try
                    {
                        DimseResponse response = await DicomStoreSender.StoreFileAsync(association, path, cancellationToken: ct).ConfigureAwait(false);
                        if (!response.Status.IsSuccessOrWarning)
                        {
                            failed++;
                            await stderr.WriteLineAsync($"error: {path}: C-STORE status {response.Status} {response.Command.ErrorComment}").ConfigureAwait(false);
                        }
                    }
                    catch (InvalidOperationException ex)
                    {
                        failed++;
                        await stderr.WriteLineAsync($"error: {path}: {ex.Message}").ConfigureAwait(false);
                    }
                }

                await association.ReleaseAsync(ct).ConfigureAwait(false);
            }

            await stdout.WriteLineAsync($"{files.Count - failed} sent, {failed} failed").ConfigureAwait(false);
            return failed == 0;
        }));
        return command;
    }

    private static Command CreateQuery(string name, string description, TextWriter stdout, TextWriter stderr)
    {
        var net = new NetworkCommandOptions();
        var level = new Option<string?>("--level", "-L") { Description = "Query/Retrieve Level: PATIENT, STUDY, SERIES or IMAGE (not for worklist)." };
        var keys = new Option<string[]>("--key", "-k") { Description = "Keyword=Value or gggg,eeee=Value; Sequence[0].Keyword=Value for one nesting level; a key without '=' is a return key.", AllowMultipleArgumentsPerToken = false };
        var model = new Option<string>("--model", "-m") { Description = "Information model: study, patient or worklist (find only).", DefaultValueFactory = _ => "study" };
        var destination = new Option<string>("--destination", "-aem") { Description = "Move destination AE title.", Required = true };
        var output = new Option<string>("--out", "-od") { Description = "Directory for retrieved instances.", Required = true };
        var command = new Command(name, description);
        net.AddTo(command);
        command.Options.Add(level);
        command.Options.Add(keys);
        command.Options.Add(model);
        if (name == "move")
        {
            command.Options.Add(destination);
        }

        if (name == "get")
        {
            command.Options.Add(output);
        }

        command.SetAction((result, ct) => RunAsync(stderr, async () =>
        {
            string modelUid = ModelUid(result.GetValue(model)!, name);
            DicomDataset identifier = QueryKeys.Build(result.GetValue(keys) ?? [], result.GetValue(level));
            var proposals = new List<PresentationContextProposal> { new(1, modelUid, [.. Uncompressed.Select(t => t.Uid.Value)]) };
            var roles = new List<RoleSelection>();
            IDimseRequestHandler? handler = null;
            if (name == "get")
            {
                foreach (string storage in RetrieveStorageClasses)
                {
                    proposals.Add(new PresentationContextProposal((byte)((proposals.Count * 2) + 1), storage, [.. Uncompressed.Select(t => t.Uid.Value)]));
                    roles.Add(new RoleSelection(storage, ScuRole: false, ScpRole: true));
                }

                handler = new DimseServiceDispatcher(new DirectoryStoreService(result.GetValue(output)!));
            }

            DicomAssociation association = await DicomClient.ConnectAsync(net.Client(result), net.Request(result, proposals, roles), handler, cancellationToken: ct).ConfigureAwait(false);
            DimseResponse? final = null;
            int matches = 0;
            await using (association.ConfigureAwait(false))
            {
                IAsyncEnumerable<DimseResponse> responses = name switch
                {
                    "find" => association.FindAsync(modelUid, identifier, ct),
                    "move" => association.MoveAsync(modelUid, identifier, NetworkCommandOptions.CheckAe(result.GetValue(destination)!, "--destination"), ct),
                    _ => association.GetAsync(modelUid, identifier, ct),
                };
                await foreach (DimseResponse response in responses.ConfigureAwait(false))
                {
                    final = response;
                    if (response.Status.Category == DimseStatusCategory.Pending && response.DataSet is not null && name == "find")
                    {
                        matches++;
                        await stdout.WriteLineAsync(DicomJsonWriter.Serialize(response.DataSet, indented: false)).ConfigureAwait(false);
                    }
                }

                await association.ReleaseAsync(ct).ConfigureAwait(false);
            }

            if (final is null)
            {
                return false;
            }

            string counts = name == "find"
                ? $"{matches} matches"
                : $"completed {final.Command.CompletedSubOperations ?? 0}, failed {final.Command.FailedSubOperations ?? 0}, warning {final.Command.WarningSubOperations ?? 0}";
            await stderr.WriteLineAsync($"C-{name.ToUpperInvariant()} status {final.Status}: {counts}").ConfigureAwait(false);
            return final.Status.Category == DimseStatusCategory.Success;
        }));
        return command;
    }

    private static Command CreateScp(TextWriter stdout, TextWriter stderr)
    {
        var port = new Option<int>("--port", "-p") { Description = "TCP port to listen on.", Required = true };
        var aet = new Option<string>("--aet", "-aet") { Description = "Our AE title.", DefaultValueFactory = _ => "GATEWAYCTL" };
        var output = new Option<string>("--out", "-od") { Description = "Directory for received instances, and the instances served by C-FIND, C-MOVE and C-GET.", Required = true };
        var bind = new Option<string>("--bind") { Description = "Address to listen on (0.0.0.0 for every interface).", DefaultValueFactory = _ => "127.0.0.1" };
        var requireCalled = new Option<bool>("--require-called-aet") { Description = "Reject associations calling another AE title." };
        var peers = new Option<string[]>("--peer") { Description = "A C-MOVE destination, AET=host:port (repeatable); with TLS options, reached over TLS with the same certificate and CAs.", AllowMultipleArgumentsPerToken = false };
        var net = new NetworkCommandOptions();
        var command = new Command(
            "scp",
            "A storage and Query/Retrieve SCP, like storescp plus dcmqrscp: answers C-ECHO, writes every received instance as a Part 10 file in --out, " +
            "and answers C-FIND, C-MOVE (to the --peer destinations) and C-GET over the instances in --out (Patient Root and Study Root), until stopped.")
        {
            port, aet, output, bind, requireCalled, peers, net.TlsCert, net.TlsKey, net.TlsCa, net.MaxPdu, net.Timeout,
        };
        command.SetAction((result, ct) => RunAsync(stderr, async () =>
        {
            if (!IPAddress.TryParse(result.GetValue(bind), out IPAddress? address))
            {
                throw new CliInputException($"--bind '{result.GetValue(bind)}' is not an IP address");
            }

            string ourAe = NetworkCommandOptions.CheckAe(result.GetValue(aet)!, "--aet");
            var options = new DicomServerOptions
            {
                BindAddress = address,
                Port = result.GetValue(port),
                Tls = net.Tls(result),
                Association = net.Association(result),
            };
            Dictionary<string, DicomClientOptions> destinations = ParsePeers(result.GetValue(peers) ?? [], options);

            using ILoggerFactory logging = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information)
                .AddFilter((_, _, _) => true));
            var store = new DirectoryStoreService(result.GetValue(output)!);
            store.Stored += (path, request) => stdout.WriteLine($"stored {Path.GetFileName(path)} from {request.Association.CallingAE}");
            var queryRetrieve = new DirectoryQueryRetrieveService(
                new DirectoryQueryRetrieveOptions { Directory = result.GetValue(output)!, AETitle = ourAe, MoveDestinations = destinations },
                logging.CreateLogger("qr"));
            queryRetrieve.ObserveStores(store);
            await queryRetrieve.ScanAsync(ct).ConfigureAwait(false);

            var policy = new AssociationAcceptancePolicy
            {
                AETitle = ourAe,
                RequireCalledAE = result.GetValue(requireCalled),
                AcceptAllStorage = true,
                AbstractSyntaxes = new[]
                {
                    DicomUids.Verification,
                    DicomUids.PatientRootQueryRetrieveInformationModelFind,
                    DicomUids.PatientRootQueryRetrieveInformationModelMove,
                    DicomUids.PatientRootQueryRetrieveInformationModelGet,
                    DicomUids.StudyRootQueryRetrieveInformationModelFind,
                    DicomUids.StudyRootQueryRetrieveInformationModelMove,
                    DicomUids.StudyRootQueryRetrieveInformationModelGet,
                }.ToDictionary(u => u.Value, _ => (IReadOnlyList<DicomTransferSyntax>)Uncompressed),
            };

            ILogger scpLogger = logging.CreateLogger("scp");
            await using var server = new DicomServer(options, policy, () => new DimseServiceDispatcher(store, queryRetrieve, queryRetrieve, scpLogger), scpLogger);
            await server.StartAsync(ct).ConfigureAwait(false);
            await stdout.WriteLineAsync(
                $"listening on {server.LocalEndPoint} as {policy.AETitle}{(options.Tls is null ? string.Empty : " (TLS)")}, serving {queryRetrieve.InstanceCount} instances" +
                (destinations.Count == 0 ? string.Empty : $", move destinations {string.Join(", ", destinations.Keys.Order(StringComparer.Ordinal))}")).ConfigureAwait(false);
            await stdout.FlushAsync(ct).ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped by the operator (Ctrl+C or SIGTERM).
            }

            return true;
        }));
        return command;
    }

    // --peer AET=host:port, host a name, an IPv4 address or a bracketed IPv6 address ([::1]:104).
    private static Dictionary<string, DicomClientOptions> ParsePeers(string[] values, DicomServerOptions server)
    {
        var peers = new Dictionary<string, DicomClientOptions>(StringComparer.Ordinal);
        foreach (string value in values)
        {
            int equals = value.IndexOf('=', StringComparison.Ordinal);
            int colon = value.LastIndexOf(':');
            if (equals <= 0 || colon < equals + 2 || colon == value.Length - 1)
            {
                throw new CliInputException($"--peer '{value}' is not AET=host:port");
            }

            string ae = NetworkCommandOptions.CheckAe(value[..equals].Trim(), "--peer");
            string host = value[(equals + 1)..colon];
            if (host.StartsWith('[') && host.EndsWith(']'))
            {
                host = host[1..^1];
            }

            if (!int.TryParse(value[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int peerPort) ||
                peerPort is < 1 or > 65535 || host.Length == 0)
            {
                throw new CliInputException($"--peer '{value}' is not AET=host:port with a port 1-65535");
            }

            if (!peers.TryAdd(ae, new DicomClientOptions { Host = host, Port = peerPort, Tls = server.Tls, Association = server.Association }))
            {
                throw new CliInputException($"--peer {ae} is given twice");
            }
        }

        return peers;
    }

    private static async Task<List<(string, string, DicomTransferSyntax)>> ScanAsync(string[] paths, TextWriter stderr, CancellationToken ct)
    {
        var files = new List<(string, string, DicomTransferSyntax)>();
        IEnumerable<string> candidates = paths.SelectMany<string, string>(p => Directory.Exists(p)
            ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            : File.Exists(p) ? [p] : throw new CliInputException($"{p}: no such file or directory"));
        foreach (string path in candidates)
        {
            try
            {
                DicomFileReader reader = await DicomFileReader.OpenAsync(path, cancellationToken: ct).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    if (reader.FileMetaInformation.GetString(DicomTags.MediaStorageSOPClassUID) is { Length: > 0 } sopClass)
                    {
                        files.Add((path, sopClass, reader.TransferSyntax));
                    }
                    else
                    {
                        await stderr.WriteLineAsync($"warning: {path}: no File Meta Information, skipped").ConfigureAwait(false);
                    }
                }
            }
            catch (DicomFormatException ex)
            {
                await stderr.WriteLineAsync($"warning: {path}: not DICOM ({ex.Message}), skipped").ConfigureAwait(false);
            }
        }

        return files;
    }

    private static string ModelUid(string model, string operation) => (model.ToLowerInvariant(), operation) switch
    {
        ("study", "find") => DicomUids.StudyRootQueryRetrieveInformationModelFind.Value,
        ("study", "move") => DicomUids.StudyRootQueryRetrieveInformationModelMove.Value,
        ("study", "get") => DicomUids.StudyRootQueryRetrieveInformationModelGet.Value,
        ("patient", "find") => DicomUids.PatientRootQueryRetrieveInformationModelFind.Value,
        ("patient", "move") => DicomUids.PatientRootQueryRetrieveInformationModelMove.Value,
        ("patient", "get") => DicomUids.PatientRootQueryRetrieveInformationModelGet.Value,
        ("worklist", "find") => DicomUids.ModalityWorklistInformationModelFind.Value,
        _ => throw new CliInputException($"--model {model} is not available for {operation} (study, patient; worklist for find)"),
    };

    // Storage classes proposed (with the SCP role) for C-GET: the common image, SR and document classes.
    private static readonly string[] RetrieveStorageClasses =
    [
        DicomUids.CTImageStorage.Value,
        DicomUids.MRImageStorage.Value,
        DicomUids.UltrasoundImageStorage.Value,
        DicomUids.UltrasoundMultiframeImageStorage.Value,
        DicomUids.SecondaryCaptureImageStorage.Value,
        DicomUids.ComputedRadiographyImageStorage.Value,
        DicomUids.DigitalXRayImageStorageForPresentation.Value,
        DicomUids.DigitalMammographyXRayImageStorageForPresentation.Value,
        DicomUids.XRayAngiographicImageStorage.Value,
        DicomUids.NuclearMedicineImageStorage.Value,
        DicomUids.PositronEmissionTomographyImageStorage.Value,
        DicomUids.EnhancedCTImageStorage.Value,
        DicomUids.EnhancedMRImageStorage.Value,
        DicomUids.BasicTextSRStorage.Value,
        DicomUids.EnhancedSRStorage.Value,
        DicomUids.ComprehensiveSRStorage.Value,
        DicomUids.KeyObjectSelectionDocumentStorage.Value,
        DicomUids.GrayscaleSoftcopyPresentationStateStorage.Value,
        DicomUids.EncapsulatedPDFStorage.Value,
        DicomUids.RTImageStorage.Value,
        DicomUids.RTDoseStorage.Value,
        DicomUids.RTStructureSetStorage.Value,
        DicomUids.RTPlanStorage.Value,
    ];

    private static async Task<int> RunAsync(TextWriter stderr, Func<Task<bool>> body)
    {
        try
        {
            return await body().ConfigureAwait(false) ? ExitCodes.Success : ExitCodes.OperationFailed;
        }
        catch (CliInputException ex)
        {
            await stderr.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
        catch (DicomFormatException ex)
        {
            await stderr.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
        catch (Exception ex) when (ex is DicomAssociationRejectedException or DicomAssociationAbortedException or SocketException or AuthenticationException
            or TimeoutException or IOException or InvalidOperationException or InvalidDataException or System.Security.Cryptography.CryptographicException)
        {
            await stderr.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            return ExitCodes.OperationFailed;
        }
    }
}
