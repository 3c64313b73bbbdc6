using System.Diagnostics;
using System.Globalization;
using Gateway.Backup;

namespace Gateway.Cli.Backup;

/// <summary>
/// Progress of a long operation: on a terminal one line redrawn in place (bytes, rate, time left); otherwise a plain line
/// at each tenth, so logs stay readable.
/// </summary>
internal sealed class ProgressWriter : IProgress<BackupProgress>
{
    private static readonly TimeSpan Redraw = TimeSpan.FromMilliseconds(250);
    private readonly TextWriter _output;
    private readonly bool _terminal;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private TimeSpan _last = TimeSpan.MinValue;
    private string _phase = string.Empty;
    private int _tenth = -1;

    public ProgressWriter(TextWriter output, bool terminal)
    {
        _output = output;
        _terminal = terminal;
    }

    /// <summary>A writer for <paramref name="output"/>: redrawn in place when it is the console and stdout is a terminal.</summary>
    public static ProgressWriter For(TextWriter output) => new(output, ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected);

    public void Report(BackupProgress value)
    {
        lock (_gate)
        {
            if (value.Phase != _phase)
            {
                Finish();
                _phase = value.Phase;
                _tenth = -1;
                _clock.Restart();
            }

            TimeSpan elapsed = _clock.Elapsed;
            double rate = elapsed.TotalSeconds > 0 ? value.BytesDone / elapsed.TotalSeconds : 0;
            string left = rate > 0 && value.BytesTotal > value.BytesDone ? Duration(TimeSpan.FromSeconds((value.BytesTotal - value.BytesDone) / rate)) : "0s";
            string line = string.Create(CultureInfo.InvariantCulture,
                $"{value.Phase}: {Bytes(value.BytesDone)} of {Bytes(value.BytesTotal)}, {Bytes((long)rate)}/s, {left} left");
            if (_terminal)
            {
                if (elapsed - _last >= Redraw || value.BytesDone >= value.BytesTotal)
                {
                    _last = elapsed;
                    _output.Write("\r" + line.PadRight(78));
                }
            }
            else
            {
                int tenth = value.BytesTotal <= 0 ? 10 : (int)(value.BytesDone * 10 / value.BytesTotal);
                if (tenth > _tenth)
                {
                    _tenth = tenth;
                    _output.WriteLine(line);
                }
            }
        }
    }

    /// <summary>Ends the redrawn line, if any.</summary>
    public void Finish()
    {
        if (_terminal && _phase.Length > 0)
        {
            _output.WriteLine();
        }
    }

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.00} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };

    public static string Duration(TimeSpan t) => t.TotalSeconds < 60
        ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.0}s")
        : string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalMinutes}m{t.Seconds:00}s");
}
