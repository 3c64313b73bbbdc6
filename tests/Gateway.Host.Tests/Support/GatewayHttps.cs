using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace Gateway.Host.Tests.Support;

/// <summary>An HTTPS client of a test gateway's health and metrics endpoints, trusting only its development CA.</summary>
internal sealed partial class GatewayHttps : IDisposable
{
    private readonly X509Certificate2 _ca;
    private readonly HttpClientHandler _handler;

    public GatewayHttps(GatewayProcess gateway)
        : this(gateway.Certs, gateway.HttpsPort)
    {
    }

    /// <summary>A client of the gateway whose development PKI is in <paramref name="certs"/>, listening on <paramref name="httpsPort"/>.</summary>
    public GatewayHttps(string certs, int httpsPort)
    {
        _ca = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(certs, "ca.crt")));
        _handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(_ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return certificate is not null && chain.Build(certificate);
            },
        };
        Http = new HttpClient(_handler) { BaseAddress = new Uri($"https://127.0.0.1:{httpsPort}/") };
    }

    public HttpClient Http { get; }

    /// <summary>The body of /healthz/ready: Healthy, Degraded or Unhealthy.</summary>
    public async Task<string> ReadyAsync()
    {
        using HttpResponseMessage response = await Http.GetAsync("healthz/ready");
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The Prometheus text of /metrics.</summary>
    public Task<string> MetricsAsync() => Http.GetStringAsync("metrics");

    /// <summary>
    /// The value of the sample of metric <paramref name="name"/> (any unit suffix the exporter adds) whose labels include
    /// every one of <paramref name="labels"/>, or null when there is none.
    /// </summary>
    public static double? Sample(string metrics, string name, params string[] labels)
    {
        foreach (Match m in SampleLine().Matches(metrics))
        {
            string metric = m.Groups["name"].Value;
            string found = m.Groups["labels"].Value;
            if ((metric == name || metric.StartsWith(name + "_", StringComparison.Ordinal)) && labels.All(l => found.Contains(l, StringComparison.Ordinal)))
            {
                string value = m.Groups["value"].Value;
                return value switch
                {
                    "+Inf" => double.PositiveInfinity,
                    "-Inf" => double.NegativeInfinity,
                    "NaN" => double.NaN,
                    _ => double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture),
                };
            }
        }

        return null;
    }

    /// <summary>Polls until <paramref name="condition"/> holds for the metrics text, or <paramref name="timeout"/> passes; returns the last text.</summary>
    public async Task<string> WaitForMetricsAsync(Func<string, bool> condition, TimeSpan timeout)
    {
        DateTime end = DateTime.UtcNow + timeout;
        string metrics = await MetricsAsync();
        while (!condition(metrics) && DateTime.UtcNow < end)
        {
            await Task.Delay(200);
            metrics = await MetricsAsync();
        }

        return metrics;
    }

    /// <summary>Polls /healthz/ready until it answers <paramref name="expected"/> or <paramref name="timeout"/> passes; returns the last answer.</summary>
    public async Task<string> WaitForReadyAsync(string expected, TimeSpan timeout)
    {
        DateTime end = DateTime.UtcNow + timeout;
        string ready = await ReadyAsync();
        while (ready != expected && DateTime.UtcNow < end)
        {
            await Task.Delay(200);
            ready = await ReadyAsync();
        }

        return ready;
    }

    public void Dispose()
    {
        Http.Dispose();
        _handler.Dispose();
        _ca.Dispose();
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex SampleLine();
}
