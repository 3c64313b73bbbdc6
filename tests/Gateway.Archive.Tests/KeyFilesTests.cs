using System.Security.Cryptography;
using Gateway.Archive.Keys;
using Gateway.Archive.Tests.Support;

namespace Gateway.Archive.Tests;

public sealed class KeyFilesTests : IDisposable
{
    private readonly ArchiveHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public void Open_FirstRun_CreatesOwnerOnlyKeyFilesInAnOwnerOnlyDirectory()
    {
        using ArchiveStore store = _h.Open();

        Assert.True(store.OpenReport.Created);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_h.KeyDirectory));
        foreach (string name in new[] { "kek-1.key", "index.key" })
        {
            string path = Path.Combine(_h.KeyDirectory, name);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(32, Convert.FromBase64String(File.ReadAllText(path).Trim()).Length);
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(_h.DataDirectory, "archive")));
        foreach (string file in new[] { "index.db", "index.db-wal", "index.db-shm", ".lock" })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_h.DataDirectory, "archive", file)));
        }

        foreach (string directory in new[] { "objects", "tmp" })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(_h.DataDirectory, "archive", directory)));
        }
    }

    [Fact]
    public void Open_TwoKeysAreDifferentAndStable()
    {
        using (_h.Open())
        {
        }

        string kek = File.ReadAllText(Path.Combine(_h.KeyDirectory, "kek-1.key"));
        string index = File.ReadAllText(Path.Combine(_h.KeyDirectory, "index.key"));
        using (_h.Open())
        {
        }

        Assert.NotEqual(kek, index);
        Assert.Equal(kek, File.ReadAllText(Path.Combine(_h.KeyDirectory, "kek-1.key")));
        Assert.Equal(index, File.ReadAllText(Path.Combine(_h.KeyDirectory, "index.key")));
    }

    [Theory]
    [InlineData("kek-1.key", UnixFileMode.GroupRead)]
    [InlineData("kek-1.key", UnixFileMode.OtherRead)]
    [InlineData("index.key", UnixFileMode.GroupRead)]
    public void Open_KeyFileReadableByOthers_Refused(string file, UnixFileMode extra)
    {
        using (_h.Open())
        {
        }

        string path = Path.Combine(_h.KeyDirectory, file);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | extra);

        ArchiveKeyException ex = Assert.Throws<ArchiveKeyException>(() => _h.Open());
        Assert.Contains("0600", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not base64 !")]
    [InlineData("AAAA")]
    public void Open_MalformedKeyFile_Refused(string content)
    {
        using (_h.Open())
        {
        }

        string path = Path.Combine(_h.KeyDirectory, "kek-1.key");
        File.WriteAllText(path, content);

        Assert.Throws<ArchiveKeyException>(() => _h.Open());
    }

    [Theory]
    [InlineData("")]
    [InlineData("0:AAAA")]
    [InlineData("x:AAAA")]
    [InlineData("1:AAAA")]
    public void KeyRing_FromMalformedSecret_Refused(string secret)
    {
        Assert.Throws<ArchiveKeyException>(() => KeyRing.FromSecret(secret));
    }

    [Fact]
    public void KeyRing_FromSecret_HighestVersionIsCurrentAndBareKeyIsVersionOne()
    {
        string a = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        string b = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        using KeyRing ring = KeyRing.FromSecret($" 3:{b} , 1:{a} ");
        using KeyRing bare = KeyRing.FromSecret(a);

        Assert.Equal(3, ring.CurrentVersion);
        Assert.Equal([1, 3], ring.Versions);
        Assert.Equal(1, bare.CurrentVersion);
        byte[] wrapped = bare.Wrap(new byte[32], out int version);
        Assert.Equal(1, version);
        Assert.Equal(new byte[32], ring.Unwrap(1, wrapped));
        Assert.Throws<ArchiveKeyException>(() => KeyRing.FromSecret($"1:{a},1:{b}"));
    }

    [Fact]
    public void KeyRing_UnwrapUnderAnotherKey_FailsIntegrity()
    {
        using KeyRing one = KeyRing.FromSecret(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        using KeyRing other = KeyRing.FromSecret(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        byte[] wrapped = one.Wrap(RandomNumberGenerator.GetBytes(32), out _);

        Assert.Throws<ArchiveIntegrityException>(() => other.Unwrap(1, wrapped));
        Assert.Throws<ArchiveIntegrityException>(() => one.Unwrap(2, wrapped));
    }
}
