using System.Security.Cryptography;
using Gateway.Archive.Crypto;

namespace Gateway.Archive.Storage;

/// <summary>
/// Empty object files created ahead of need, so that storing an instance costs one fsync of its own bytes and no
/// directory flush. A refill creates a batch of <c>NAME.slot</c> files in one fan-out directory (their object ids share
/// the first byte) and flushes that directory once; a store writes into a slot, flushes the file, renames it to
/// <c>NAME.obj</c> and commits the index row. The rename need not be durable before the commit: after a crash, opening
/// the archive renames the slot of every committed row whose <c>.obj</c> is missing (roll forward) and deletes every
/// other slot.
/// </summary>
internal sealed class ObjectSlots
{
    /// <summary>The file name extension of a slot.</summary>
    public const string Extension = ".slot";

    private const int BatchSize = 32;
    private const int LowWater = 8;

    private readonly string _objectsDirectory;
    private readonly Action<string> _ensureDirectory;
    private readonly Queue<(byte[] ObjectId, string Path)> _ready = new();
    private readonly Lock _gate = new();
    private Task? _refill;

    public ObjectSlots(string objectsDirectory, Action<string> ensureDirectory)
    {
        _objectsDirectory = objectsDirectory;
        _ensureDirectory = ensureDirectory;
    }

    /// <summary>The path of the slot file for an object name.</summary>
    public string SlotPath(string name) => Path.Combine(_objectsDirectory, name[..2], name + Extension);

    /// <summary>
    /// Takes a slot: a new object id and the path of its empty file, already durable by name. The caller owns the file
    /// from here (writes and renames it, or deletes it).
    /// </summary>
    /// <exception cref="IOException">A refill could not create or flush its files (for example the volume is full).</exception>
    public async ValueTask<(byte[] ObjectId, string Path)> TakeAsync()
    {
        while (true)
        {
            Task? refill;
            lock (_gate)
            {
                if (_ready.Count > 0)
                {
                    (byte[] ObjectId, string Path) slot = _ready.Dequeue();
                    if (_ready.Count < LowWater && _refill is null)
                    {
                        _refill = Task.Run(RefillInBackground);
                    }

                    return slot;
                }

                refill = _refill;
            }

            if (refill is not null)
            {
                // A refill is under way: wait for it, then look again (it clears itself when done, even when it failed).
                await refill.ConfigureAwait(false);
                continue;
            }

            // Nothing ready and nobody refilling: refill on this thread, so a failure (disk full) reaches the store.
            List<(byte[], string)> batch = CreateBatch();
            lock (_gate)
            {
                foreach ((byte[], string) slot in batch)
                {
                    _ready.Enqueue(slot);
                }
            }
        }
    }

    /// <summary>Waits for a refill under way, so nothing is created in the directory after the archive closed.</summary>
    public void WaitForRefill()
    {
        Task? refill;
        lock (_gate)
        {
            refill = _refill;
        }

        refill?.GetAwaiter().GetResult();
    }

    private void RefillInBackground()
    {
        try
        {
            List<(byte[], string)> batch = CreateBatch();
            lock (_gate)
            {
                foreach ((byte[], string) slot in batch)
                {
                    _ready.Enqueue(slot);
                }
            }
        }
        catch (IOException)
        {
            // The next Take that finds nothing ready refills itself and reports the failure to its store.
        }
        catch (UnauthorizedAccessException)
        {
        }
        finally
        {
            lock (_gate)
            {
                _refill = null;
            }
        }
    }

    private List<(byte[], string)> CreateBatch()
    {
        byte first = (byte)RandomNumberGenerator.GetInt32(256);
        string directory = Path.Combine(_objectsDirectory, Convert.ToHexStringLower([first]));
        _ensureDirectory(directory);
        var batch = new List<(byte[], string)>(BatchSize);
        try
        {
            for (int i = 0; i < BatchSize; i++)
            {
                byte[] id = RandomNumberGenerator.GetBytes(ObjectFormat.ObjectIdLength);
                id[0] = first;
                string path = Path.Combine(directory, ObjectFormat.NameOf(id) + Extension);
                using (new FileStream(path, FileSync.NewPrivateFile()))
                {
                }

                batch.Add((id, path));
            }

            FileSync.FlushDirectory(directory);
            return batch;
        }
        catch
        {
            foreach ((_, string path) in batch)
            {
                try
                {
                    File.Delete(path);
                }
                catch (IOException)
                {
                }
            }

            throw;
        }
    }
}
