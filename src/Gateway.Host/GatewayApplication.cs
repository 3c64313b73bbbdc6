using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Gateway.Audit;
using Gateway.Host.Admin;
using Gateway.Host.Backup;
using Gateway.Host.Configuration;
using Gateway.Host.DicomWeb;
using Gateway.Identity;
using Gateway.Host.Dimse;
using Gateway.Host.Health;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Serilog;
using ILogger = Microsoft.Extensions.Logging.ILogger;
using Serilog.Formatting.Compact;

namespace Gateway.Host;

/// <summary>The composition root: configuration, logging, TLS material, DIMSE legs, HTTPS endpoints.</summary>
public static class GatewayApplication
{
    /// <summary>The meter of the gateway's own metrics.</summary>
    public const string MeterName = "Gateway";

    /// <summary>Builds the application. <c>--config FILE</c> adds a JSON configuration file after appsettings.json.</summary>
    /// <param name="args">Command-line arguments (configuration overrides as <c>--Gateway:Vlan:Port=104</c>, or <c>--config FILE</c>).</param>
    /// <param name="configure">Extra configuration (tests), applied last.</param>
    public static WebApplication Build(string[] args, Action<IConfigurationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        (string? configFile, string[] rest) = ExtractConfigFile(args);
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            // No configuration file is watched for changes: nothing re-reads options at run time (the policy reloads on
            // SIGHUP, on its own), and the host's default watcher for appsettings.json is a recursive inotify watch of
            // the whole working directory, the data directory included: every archive, index and audit write woke it
            // (measured: about a fifth of the gateway's CPU per C-STORE once warm), and a large tree under the working
            // directory would exhaust the user's inotify watches. An argument, so that host configuration sees it.
            Args = ["--hostBuilder:reloadConfigOnChange=false", .. rest],
            ContentRootPath = Directory.GetCurrentDirectory(),

            // The admin console's Razor Pages are found in the application's assembly: this one, also when a test runner
            // is the entry assembly.
            ApplicationName = typeof(GatewayApplication).Assembly.GetName().Name,
        });

        // The embedded defaults ship beside the binary and come first: a site's appsettings.json in the working
        // directory, --config FILE, environment variables (Gateway__Vlan__Port=104) and arguments override them.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource
        {
            Path = "appsettings.json",
            Optional = true,
            FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(AppContext.BaseDirectory),
        });
        if (configFile is not null)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
            builder.Configuration.AddEnvironmentVariables();
            builder.Configuration.AddCommandLine(rest);
        }

        configure?.Invoke(builder.Configuration);

        builder.Services.AddOptions<GatewayOptions>().Bind(builder.Configuration.GetSection(GatewayOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<GatewayOptions>>(new OptionsTreeValidation<GatewayOptions>(GatewayOptions.Section));
        builder.Services.AddSingleton<IValidateOptions<GatewayOptions>, DeviceRoutingValidation>();
        builder.Services.AddSingleton<IValidateOptions<GatewayOptions>, UpstreamValidation>();
        GatewayOptions gateway = builder.Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
        string dataDirectory = Path.GetFullPath(gateway.DataDirectory, builder.Environment.ContentRootPath);
        Directory.CreateDirectory(dataDirectory);

        // The operational log holds no PHI, but it does name AE titles, addresses and user ids: not for every local user.
        // Owner and group (a log shipper's) only; a directory an operator already made is left as it is.
        string logDirectory = Path.Combine(dataDirectory, "logs");
        if (!OperatingSystem.IsWindows() && !Directory.Exists(logDirectory))
        {
            Directory.CreateDirectory(logDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        }

        // Each host keeps its own logger (not the static Log.Logger): with several gateways in one process (the tests), a
        // stopping one would otherwise silence the others, and their events would land in each other's files.
        builder.Services.AddSerilog(preserveStaticLogger: true, configureLogger: (services, logger) => logger
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.FromLogContext()
            .WriteTo.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture)
            .WriteTo.File(
                new CompactJsonFormatter(),
                Path.Combine(logDirectory, "gateway-.json"),
                rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: 30));

        GatewayTls tls = GatewayTls.Resolve(gateway.Tls, builder.Environment.ContentRootPath);
        builder.Services.AddSingleton(tls);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddAuditLog(new Gateway.Audit.AuditLogOptions
        {
            Directory = Path.Combine(dataDirectory, "audit"),
            Origin = $"{Environment.MachineName.ToLowerInvariant()}/{gateway.AETitle.ToLowerInvariant()}/audit",
            SegmentPreallocationBytes = gateway.Audit.SegmentPreallocationBytes is >= 0 and <= AuditOptions.MaxSegmentPreallocationBytes
                ? gateway.Audit.SegmentPreallocationBytes
                : throw new GatewayStartupException(string.Create(CultureInfo.InvariantCulture,
                    $"Gateway:Audit:SegmentPreallocationBytes must be 0 to {AuditOptions.MaxSegmentPreallocationBytes} (got {gateway.Audit.SegmentPreallocationBytes})")),
        });
        builder.Services.AddSingleton<Gateway.Audit.IAuditLog, Audit.FailStopAuditLog>();
        builder.Services.AddSingleton<Audit.GatewayAudit>();
        builder.Services.AddSingleton<Policy.PolicyTraffic>();
        builder.Services.AddSingleton<Policy.GatewayPolicy>();
        builder.Services.AddSingleton(sp => Gateway.Archive.ArchiveStore.Open(
            Archive.RetentionService.Apply(Gateway.Archive.ArchiveOptions.FromEnvironment(dataDirectory), sp.GetRequiredService<IOptions<RetentionOptions>>().Value) with
            {
                MinimumFreeBytes = gateway.Backpressure.MinimumFreeBytes,
                MaxOutboxDepth = gateway.Backpressure.MaxOutboxDepth,
                DeadLetterAfter = gateway.Routing.DeadLetterAfter,
            },
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway.Archive")));
        builder.Services.AddSingleton<Gateway.Archive.IInstanceArchive>(sp => sp.GetRequiredService<Gateway.Archive.ArchiveStore>());
        builder.Services.AddSingleton<Archive.ForwardingRoutes>();
        builder.Services.AddSingleton<Archive.ForwarderSignal>();
        builder.Services.AddSingleton<Archive.LiveTraffic>();
        builder.Services.AddSingleton<Archive.ArchiveStoreService>();
        builder.Services.AddSingleton<Gateway.Dicom.Network.Services.IStoreService>(sp => sp.GetRequiredService<Archive.ArchiveStoreService>());
        builder.Services.AddHostedService<Archive.Forwarder>();
        builder.Services.AddSingleton<Prefetch.PrefetchService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Prefetch.PrefetchService>());
        builder.Services.AddSingleton<Upstreams>();
        builder.Services.AddSingleton<Bridge.DicomWebUpstreams>();
        builder.Services.AddSingleton<Bridge.QidoFind>();
        builder.Services.AddSingleton<Bridge.WadoRetrieve>();
        builder.Services.AddSingleton<Bridge.StowForwarder>();
        builder.Services.AddSingleton<FindRelay>();
        builder.Services.AddSingleton<RetrieveRelay>();
        builder.Services.AddSingleton<DimseListeners>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DimseListeners>());
        builder.Services.AddHostedService<StartupBanner>();
        GatewayIdentityOptions identity = IdentityOptionsFor(builder.Configuration, gateway);
        builder.Services.AddGatewayIdentity(identity, dataDirectory);
        builder.Services.AddGatewayAdmin(builder.Configuration, identity, tls);
        builder.Services.AddGatewayDicomWeb(builder.Configuration);
        builder.Services.AddGatewayOperations(builder.Configuration);
        builder.Services.AddGatewayBackups();

        builder.Services.AddHealthChecks()
            .AddCheck<DataDirectoryHealthCheck>("data-directory", tags: ["ready"])
            .AddCheck<UpstreamsHealthCheck>("upstreams", HealthStatus.Degraded, tags: ["ready"]);

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("dicom-gateway"))
            .WithMetrics(metrics => metrics
            .AddMeter(MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddPrometheusExporter());
        builder.Services.AddSingleton(sp => new GatewayMeters(sp.GetRequiredService<IMeterFactory>(), sp.GetRequiredService<DimseListeners>()));

        // HTTPS only, TLS 1.2 and 1.3, on the clinical side; never on the device VLAN. The cipher suites are the DIMSE
        // listener's (BCP 195: AEAD with forward secrecy): OpenSSL's defaults would add the TLS 1.2 CBC suites
        // (ECDHE-ECDSA-AES128-SHA256 and -AES256-SHA384), which testssl reports as obsolete and LUCKY13-prone.
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Parse(gateway.Https.Address), gateway.Https.Port, listen => listen.UseHttps(https =>
            {
                https.ServerCertificate = X509Certificate2.CreateFromPemFile(tls.CertificateFile, tls.PrivateKeyFile);
                https.SslProtocols = Gateway.Dicom.Network.Transport.DicomTlsOptions.Protocols;
                https.OnAuthenticate = (_, ssl) => ssl.CipherSuitesPolicy = Gateway.Dicom.Network.Transport.DicomTlsOptions.CreateCipherSuitesPolicy();
            }));
        });

        WebApplication app = builder.Build();
        _ = app.Services.GetRequiredService<GatewayMeters>();

        // An invalid policy stops the gateway before it listens.
        _ = app.Services.GetRequiredService<Policy.GatewayPolicy>();
        app.MapHealthChecks("/healthz/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/healthz/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapGatewayIdentity();
        app.MapGatewayDicomWeb();
        app.MapGatewayAdmin();
        return app;
    }

    // Gateway:Identity, with the issuer defaulting to the HTTPS endpoint's own address.
    private static GatewayIdentityOptions IdentityOptionsFor(IConfiguration configuration, GatewayOptions gateway)
    {
        GatewayIdentityOptions identity = configuration.GetSection("Gateway:Identity").Get<GatewayIdentityOptions>() ?? new GatewayIdentityOptions();
        if (identity.Issuer is null)
        {
            string host = IPAddress.TryParse(gateway.Https.Address, out IPAddress? ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                ? $"[{ip}]"
                : gateway.Https.Address;
            identity = identity with { Issuer = new Uri($"https://{host}:{gateway.Https.Port}/") };
        }

        return identity with { AuditSourceId = gateway.AETitle + "@" + Environment.MachineName };
    }

    private static (string? ConfigFile, string[] Remaining) ExtractConfigFile(string[] args)
    {
        var rest = new List<string>();
        string? config = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--config")
            {
                config = i + 1 < args.Length ? args[++i] : throw new ArgumentException("--config needs a file");
            }
            else if (args[i].StartsWith("--config=", StringComparison.Ordinal))
            {
                config = args[i]["--config=".Length..];
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        return (config, [.. rest]);
    }
}

/// <summary>The gateway's own instruments (meter <see cref="GatewayApplication.MeterName"/>).</summary>
public sealed class GatewayMeters
{
    /// <summary>Creates the instruments.</summary>
    public GatewayMeters(IMeterFactory factory, DimseListeners listeners)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Meter meter = factory.Create(GatewayApplication.MeterName);
        meter.CreateObservableGauge("gateway.dimse.associations.active", () => listeners.ActiveAssociations, description: "DIMSE associations open on both legs");
    }
}

/// <summary>Prints, once the gateway listens, where devices should point and what goes where.</summary>
internal sealed partial class StartupBanner(IHostApplicationLifetime lifetime, DimseListeners listeners, IOptions<GatewayOptions> options, GatewayTls tls, Policy.GatewayPolicy policy, ILogger<StartupBanner> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(Print);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Print()
    {
        GatewayOptions gateway = options.Value;
        foreach ((string leg, IPEndPoint endPoint, bool isTls) in listeners.EndPoints)
        {
            string who = leg == "vlan" ? "Modalities on the device VLAN" : "PACS, RIS and workstations on the clinical network";
            LogPoint(logger, who, gateway.AETitle, endPoint.Address.ToString(), endPoint.Port, isTls ? "DIMSE over TLS (mutual)" : "plain DIMSE");
        }

        foreach (Gateway.Policy.Model.ServiceDefinition service in policy.Model.Services.Where(s => s.IsDimse))
        {
            string upstream = service.Upstream is { } u ? $"{u.AETitle} at {u.Host}:{u.Port} ({(u.Tls ? "TLS" : "plain")})" : "the configured routing";
            LogService(logger, service.Name, service.AETitle ?? "?", upstream);
        }

        LogHttps(logger, gateway.Https.Address, gateway.Https.Port);
        LogRoute(logger, "C-FIND and C-MOVE/C-GET", Describe(gateway, gateway.Routing.QueryRetrieve));
        LogRoute(logger, "Modality Worklist", Describe(gateway, gateway.Routing.Worklist));
        LogRoute(logger, "C-STORE (store-and-forward)", gateway.Routing.ForwardTo.Count == 0 ? "nowhere (no upstream configured)" : string.Join(", ", gateway.Routing.ForwardTo.Select(n => Describe(gateway, n))));
        foreach ((string device, DeviceOptions vlan) in gateway.Devices.Where(d => policy.ServiceFor(d.Key) is not null))
        {
            LogRoute(logger, $"C-STORE to AE title {device} (a push to a VLAN device)", $"{vlan.Host}:{vlan.Port} (plain DIMSE, outbox lane {Archive.DeviceLanes.Live(device)})");
        }

        if (gateway.Prefetch is { Enabled: true, Destination: { } prefetchTo } prefetch)
        {
            LogRoute(logger, "Worklist-driven prefetch", $"priors from service {prefetch.Service} to {prefetchTo} every {prefetch.Interval}, for procedures up to {prefetch.LeadTime} ahead (outbox lane {Archive.DeviceLanes.Prefetch(prefetchTo)}, steps aside for live traffic)");
        }
        if (tls.IsDevelopmentPki)
        {
            LogDevelopmentPki(logger, Path.GetDirectoryName(tls.CertificateFile)!);
        }
    }

    private static string Describe(GatewayOptions gateway, string? name) =>
        name is null ? "nowhere (no upstream configured)"
        : gateway.Upstreams.TryGetValue(name, out UpstreamOptions? u) && u.DicomWeb is { } origin ? $"{name}: DICOMweb origin {origin.GetLeftPart(UriPartial.Authority)} (STOW-RS, QIDO-RS, WADO-RS)"
        : gateway.Upstreams.TryGetValue(name, out u) ? $"{name}: {u.AETitle} at {u.Host}:{u.Port} ({(u.Tls ? "TLS" : "plain")})"
        : $"{name} (not configured)";

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "{Who}: point them to AE title {AETitle} at {Address} port {Port} ({Kind})")]
    private static partial void LogPoint(ILogger logger, string who, string aeTitle, string address, int port, string kind);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "Service {Service}: devices call AE title {AETitle}; it goes to {Upstream} where the policy allows")]
    private static partial void LogService(ILogger logger, string service, string aeTitle, string upstream);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "HTTPS (DICOMweb, sign-in, admin console at /admin, health, metrics): https://{Address}:{Port}/healthz/ready")]
    private static partial void LogHttps(ILogger logger, string address, int port);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "{Service} goes to {Destination}")]
    private static partial void LogRoute(ILogger logger, string service, string destination);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Using the development PKI in {Directory}: for tests only; configure Gateway:Tls for a real site")]
    private static partial void LogDevelopmentPki(ILogger logger, string directory);
}
