using System.IO.Compression;
using Gateway.Audit.Storage;

namespace Gateway.Audit.Export;

/// <summary>
/// Writes the files of an export bundle one after the other, each streamed: into a new directory (each file 0600, fsynced)
/// or a zip (0600, fsynced once complete). A bundle that is not completed is removed, since it holds decrypted records.
/// </summary>
internal sealed class BundleWriter : IDisposable
{
    private const int BufferBytes = 1 << 20;
    private readonly string _path;
    private readonly FileStream? _zipFile;
    private readonly ZipArchive? _archive;
    private readonly bool _createdDirectory;
    private readonly List<string> _written = [];
    private bool _completed;

    public BundleWriter(string path, bool zip)
    {
        _path = path;
        if (zip)
        {
            _zipFile = new FileStream(path, FileSync.CreateOptions(FileMode.CreateNew, SecretFiles.OwnerOnly));
            _archive = new ZipArchive(_zipFile, ZipArchiveMode.Create, leaveOpen: true);
        }
        else
        {
            _createdDirectory = !Directory.Exists(path);
            FileSync.CreateOwnerOnlyDirectory(path);
        }
    }

    /// <summary>A zip written to <paramref name="destination"/> (a download): nothing on disk, nothing to make durable.</summary>
    public BundleWriter(Stream destination)
    {
        _path = string.Empty;
        _archive = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true);
    }

    /// <summary>Writes the file <paramref name="name"/> with <paramref name="write"/>, through a buffer.</summary>
    public void WriteFile(string name, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (_archive is not null)
        {
            ZipArchiveEntry entry = _archive.CreateEntry(name, CompressionLevel.Optimal);
            // A fixed time: the bundle's bytes depend on its contents only.
            entry.LastWriteTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
            using var entryStream = new BufferedStream(entry.Open(), BufferBytes);
            write(entryStream);
            return;
        }

        string file = Path.Combine(_path, name);
        _written.Add(file);
        var stream = new FileStream(file, FileSync.CreateOptions(FileMode.CreateNew, SecretFiles.OwnerOnly));
        using var buffered = new BufferedStream(stream, BufferBytes);
        write(buffered);
        buffered.Flush();
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Writes a small file whole.</summary>
    public void WriteFile(string name, byte[] content) => WriteFile(name, stream => stream.Write(content));

    /// <summary>Finishes the bundle and makes it durable.</summary>
    public void Complete()
    {
        if (_archive is not null && _zipFile is null)
        {
            _archive.Dispose();
        }
        else if (_archive is not null)
        {
            _archive.Dispose();
            _zipFile!.Flush(flushToDisk: true);
            _zipFile.Dispose();
            FileSync.FlushDirectory(Path.GetDirectoryName(Path.GetFullPath(_path))!);
        }
        else
        {
            FileSync.FlushDirectory(_path);
        }

        _completed = true;
    }

    public void Dispose()
    {
        if (_completed)
        {
            return;
        }

        // Incomplete: remove what was written (decrypted records must not be left behind by a failed export).
        if (_archive is not null)
        {
            try
            {
                _archive.Dispose();
            }
            catch (IOException)
            {
                // The file goes regardless.
            }

            if (_zipFile is not null)
            {
                _zipFile.Dispose();
                File.Delete(_path);
            }

            return;
        }

        foreach (string file in _written)
        {
            File.Delete(file);
        }

        if (_createdDirectory && !Directory.EnumerateFileSystemEntries(_path).Any())
        {
            Directory.Delete(_path);
        }
    }
}
