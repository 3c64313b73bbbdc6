using System.Globalization;
using Gateway.Dicom.IO;
using Gateway.Dicom.Model;

namespace Gateway.LoadTest;

/// <summary>
/// Load and hostile-peer driver for bench/load-test.sh (issue 9):
/// <c>devices</c> simulates modalities storing and querying and reports C-STORE and C-FIND latency per window;
/// <c>slowloris</c>, <c>flood</c> and <c>oversize</c> are the hostile peers; <c>tls-serve</c> is the DICOMweb bench's
/// web-server baseline.
/// </summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static async Task<int> Main(string[] args)
    {
        if (args is ["tls-serve", string file, string port, string certificate, string key])
        {
            return await TlsServe.RunAsync(file, int.Parse(port, CultureInfo.InvariantCulture), certificate, key);
        }

        LoadOptions options;
        try
        {
            options = LoadOptions.Parse(args);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 64;
        }

        switch (options.Mode)
        {
            case "devices":
                return await DevicesAsync(options);
            case "slowloris":
                await Attacks.SlowlorisAsync(options, Console.Out);
                return 0;
            case "flood":
                await Attacks.FloodAsync(options, Console.Out);
                return 0;
            case "oversize":
                int status = await Attacks.OversizeAsync(options, await TemplateAsync(options), Console.Out);
                return status == 0 ? 1 : 0;
            default:
                await Console.Error.WriteLineAsync($"unknown mode '{options.Mode}'");
                return 64;
        }
    }

    private static async Task<int> DevicesAsync(LoadOptions options)
    {
        DicomDataset template = await TemplateAsync(options);
        DateTimeOffset start = DateTimeOffset.UtcNow;
        var stores = new LatencyLog("C-STORE", start);
        var finds = new LatencyLog("C-FIND", start);
        Directory.CreateDirectory(options.Output);
        using var acked = new AckList(Path.Combine(options.Output, "acked.txt"));
        using var stop = new CancellationTokenSource(options.Duration);
        using var abort = new CancellationTokenSource(options.Duration + TimeSpan.FromSeconds(60));
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
            abort.CancelAfter(TimeSpan.FromSeconds(10));
        };
        Device[] devices = [.. Enumerable.Range(1, options.Devices).Select(n => new Device(options, n, template, stores, finds, acked))];
        Task[] running = [.. devices.Select(d => Task.Run(() => d.RunAsync(stop.Token, abort.Token)))];
        using (var progress = new PeriodicTimer(TimeSpan.FromSeconds(30)))
        {
            Task all = Task.WhenAll(running);
            while (!all.IsCompleted && await Task.WhenAny(all, progress.WaitForNextTickAsync().AsTask()) != all)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {(DateTimeOffset.UtcNow - start).TotalSeconds,5:0} s: {acked.Count} acknowledged"));
            }

            await all;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{options.Devices} devices for {(DateTimeOffset.UtcNow - start).TotalSeconds:0} s at {options.ImagesPerSecond} images/s each, studies of {options.StudySize}: {acked.Count} acknowledged"));
        stores.Report(Console.Out);
        finds.Report(Console.Out);
        stores.ReportWindows(Console.Out);
        return 0;
    }

    private static async Task<DicomDataset> TemplateAsync(LoadOptions options)
    {
        string path = options.Template ?? throw new ArgumentException("--template FILE is needed");
        await using DicomFileReader file = await DicomFileReader.OpenAsync(path);
        return await file.ReadDatasetAsync();
    }
}
