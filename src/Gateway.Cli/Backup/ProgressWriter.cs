using System.Diagnostics;
using System.Globalization;
using Gateway.Backup;
using Spectre.Console;

namespace Gateway.Cli.Backup;

/// <summary>
/// Progress of a long operation: on a terminal a Spectre.Console progress display (bytes, bar, rate, time left); otherwise
/// a plain line at each tenth of each phase, so logs stay readable.
/// </summary>
/// <remarks>
/// The operation reports from several threads; Spectre's display is not thread safe, so reports only record the latest
/// figures under a lock and one loop on the calling thread draws them.
/// </remarks>
internal sealed class ProgressWriter : IProgress<BackupProgress>
{
    private static readonly TimeSpan Redraw = TimeSpan.FromMilliseconds(200);
    private readonly TextWriter? _plain;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private readonly List<BackupProgress> _phases = [];
    private int _tenth = -1;

    private ProgressWriter(TextWriter? plain)
    {
        _plain = plain;
    }

    /// <summary>
    /// Runs <paramref name="body"/> with a progress sink: a live display when <paramref name="output"/> is the console
    /// and a terminal, plain lines on <paramref name="output"/> otherwise.
    /// </summary>
    public static async Task<T> RunAsync<T>(TextWriter output, Func<IProgress<BackupProgress>, Task<T>> body)
    {
        if (!ReferenceEquals(output, Console.Out) || Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            return await body(new ProgressWriter(output)).ConfigureAwait(false);
        }

        var sink = new ProgressWriter(null);
        return await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                Task<T> work = body(sink);
                var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                while (true)
                {
                    foreach (BackupProgress p in sink.Snapshot())
                    {
                        if (!tasks.TryGetValue(p.Phase, out ProgressTask? task))
                        {
                            task = tasks[p.Phase] = context.AddTask(Markup.Escape(p.Phase), maxValue: Math.Max(1, p.BytesTotal));
                        }

                        task.MaxValue = Math.Max(1, p.BytesTotal);
                        task.Value = Math.Min(p.BytesDone, task.MaxValue);
                    }

                    context.Refresh();
                    if (work.IsCompleted)
                    {
                        return await work.ConfigureAwait(false);
                    }

                    await Task.WhenAny(work, Task.Delay(Redraw)).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
    }

    public void Report(BackupProgress value)
    {
        lock (_gate)
        {
            int index = _phases.FindIndex(p => p.Phase == value.Phase);
            if (index < 0)
            {
                _phases.Add(value);
                _tenth = -1;
                _clock.Restart();
            }
            else
            {
                _phases[index] = value;
            }

            if (_plain is not null)
            {
                WritePlain(value);
            }
        }
    }

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.00} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };

    private List<BackupProgress> Snapshot()
    {
        lock (_gate)
        {
            return [.. _phases];
        }
    }

    private void WritePlain(BackupProgress value)
    {
        int tenth = value.BytesTotal <= 0 ? 10 : (int)(value.BytesDone * 10 / value.BytesTotal);
        if (tenth <= _tenth)
        {
            return;
        }

        _tenth = tenth;
        TimeSpan elapsed = _clock.Elapsed;
        double rate = elapsed.TotalSeconds > 0 ? value.BytesDone / elapsed.TotalSeconds : 0;
        TimeSpan left = rate > 0 && value.BytesTotal > value.BytesDone ? TimeSpan.FromSeconds((value.BytesTotal - value.BytesDone) / rate) : TimeSpan.Zero;
        _plain!.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{value.Phase}: {Bytes(value.BytesDone)} of {Bytes(value.BytesTotal)}, {Bytes((long)rate)}/s, {left.TotalSeconds:0.0} s left"));
    }
}
