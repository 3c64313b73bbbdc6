namespace Gateway.LoadTest;

/// <summary>The acknowledged instances, one "AE UID" line each, on disk as soon as they are acknowledged.</summary>
internal sealed class AckList(string path) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly StreamWriter _writer = new(path, append: true) { AutoFlush = true };

    public int Count { get; private set; }

    public void Add(string aeTitle, string uid)
    {
        lock (_lock)
        {
            _writer.WriteLine(aeTitle + " " + uid);
            Count++;
        }
    }

    public void Dispose() => _writer.Dispose();
}
