using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Gateway.Audit.Tests.Forwarding;

/// <summary>
/// A real rsyslogd on loopback with TLS (imtcp + the ossl stream driver), certificates made here with CertificateRequest,
/// writing each received message as one line: structured data, a space, the message.
/// </summary>
internal sealed class RsyslogServer : IDisposable
{
    private const string Rsyslogd = "/usr/sbin/rsyslogd";
    private const string WarmUpText = "rsyslog-test-warm-up";
    private readonly string _directory;
    private Process? _process;

    public RsyslogServer(string directory)
    {
        if (!File.Exists(Rsyslogd) || !File.Exists("/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_ossl.so") && !Directory.EnumerateFiles("/usr/lib", "lmnsd_ossl.so", SearchOption.AllDirectories).Any())
        {
            Assert.Fail("rsyslogd with its OpenSSL driver is required for the forwarding tests: apt-get install rsyslog rsyslog-openssl");
        }

        _directory = directory;
        Directory.CreateDirectory(Path.Combine(directory, "work"));
        using RSA caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=audit test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        Ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(7));

        using RSA serverKey = RSA.Create(2048);
        var serverRequest = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using X509Certificate2 server = serverRequest.Create(Ca, now.AddDays(-1), now.AddDays(6), RandomNumberGenerator.GetBytes(12));
        File.WriteAllText(Path.Combine(directory, "ca.pem"), Ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "server.pem"), server.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "server.key"), serverKey.ExportPkcs8PrivateKeyPem());

        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        File.WriteAllText(ConfigPath, $"""
            global(workDirectory="{directory}/work" maxMessageSize="256k"
              defaultNetstreamDriver="ossl"
              defaultNetstreamDriverCAFile="{directory}/ca.pem"
              defaultNetstreamDriverCertFile="{directory}/server.pem"
              defaultNetstreamDriverKeyFile="{directory}/server.key")
            module(load="imtcp" streamDriver.name="ossl" streamDriver.mode="1" streamDriver.authMode="anon")
            input(type="imtcp" port="{Port}" address="127.0.0.1")
            template(name="audit" type="string" string="%structured-data% %msg%\n")
            action(type="omfile" file="{ReceivedPath}" template="audit" flushOnTXEnd="on" asyncWriting="off")
            """);
    }

    public X509Certificate2 Ca { get; }

    public int Port { get; }

    public string ReceivedPath => Path.Combine(_directory, "received.log");

    private string ConfigPath => Path.Combine(_directory, "rsyslog.conf");

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo(Rsyslogd)
        {
            ArgumentList = { "-n", "-f", ConfigPath, "-i", Path.Combine(_directory, "rsyslog.pid") },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("rsyslogd did not start");

        // Read as it comes: a full pipe would stop rsyslogd (it reports every refused session on stderr).
        var errors = new StringBuilder();
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
            {
                if (e.Data is not null && errors.Length < 16_384)
                {
                    errors.AppendLine(e.Data);
                }
            }
        };
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync();
                lock (errors)
                {
                    Assert.Fail("rsyslogd exited: " + errors);
                }
            }

            try
            {
                await WarmUpAsync(deadline);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        Assert.Fail("rsyslogd did not listen on port " + Port.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// One message through TLS, the session held open until rsyslogd has written it. rsyslog 8.2302's OpenSSL driver closes
    /// a session's socket twice (fixed upstream in December 2025, rsyslog pull request 6375); when omfile opens its file
    /// in between, as it does on the first message after a start, the second close takes omfile's descriptor, and received
    /// messages are lost or written into the next session's socket. With the file open before any session closes, the
    /// double close cannot take it. The forwarder's confirmation does not depend on this; the tests' counts do.
    /// </summary>
    private async Task WarmUpAsync(DateTime deadline)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port);
        var ssl = new SslStream(client.GetStream(), false, (_, _, _, _) => true);
        await using (ssl)
        {
            await ssl.AuthenticateAsClientAsync("localhost");
            byte[] message = Encoding.ASCII.GetBytes("<14>1 - localhost rsyslog-test - - - " + WarmUpText);
            await ssl.WriteAsync(Encoding.ASCII.GetBytes(message.Length.ToString(CultureInfo.InvariantCulture) + " "));
            await ssl.WriteAsync(message);
            await ssl.FlushAsync();
            while (!(File.Exists(ReceivedPath) && (await File.ReadAllTextAsync(ReceivedPath)).Contains(WarmUpText, StringComparison.Ordinal)))
            {
                if (DateTime.UtcNow > deadline)
                {
                    Assert.Fail("rsyslogd did not write the warm-up message");
                }

                await Task.Delay(20);
            }

            await ssl.ShutdownAsync();
        }
    }

    /// <summary>An orderly stop (SIGTERM), as a restart of the repository would do.</summary>
    public async Task StopAsync()
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }

        using (Process kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])!)
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _process.WaitForExitAsync(timeout.Token);
        _process.Dispose();
        _process = null;
    }

    /// <summary>The lines received so far, without the warm-up message.</summary>
    public string[] ReceivedLines() => File.Exists(ReceivedPath)
        ? [.. File.ReadAllLines(ReceivedPath).Where(line => !line.EndsWith(WarmUpText, StringComparison.Ordinal))]
        : [];

    /// <summary>The record indexes received so far, in arrival order.</summary>
    public List<long> ReceivedIndexes()
    {
        if (!File.Exists(ReceivedPath))
        {
            return [];
        }

        var indexes = new List<long>();
        foreach (string line in ReceivedLines())
        {
            int at = line.IndexOf("index=\"", StringComparison.Ordinal);
            if (at >= 0)
            {
                int end = line.IndexOf('"', at + 7);
                indexes.Add(long.Parse(line.AsSpan(at + 7, end - at - 7), CultureInfo.InvariantCulture));
            }
        }

        return indexes;
    }

    public async Task<List<long>> WaitForAsync(Func<List<long>, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        List<long> received = ReceivedIndexes();
        while (!condition(received) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            received = ReceivedIndexes();
        }

        return received;
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
        Ca.Dispose();
    }
}
