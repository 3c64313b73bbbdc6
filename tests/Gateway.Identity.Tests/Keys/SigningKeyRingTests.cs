using Gateway.Identity.Keys;
using Gateway.Identity.Tests.Support;

namespace Gateway.Identity.Tests.Keys;

public sealed class SigningKeyRingTests : IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(11);
    private readonly TempDirectory _dir = new();
    private readonly ManualTimeProvider _clock = new();

    private string KeyDirectory => Path.Combine(_dir.Path, "keys");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Open_FirstRun_CreatesOwnerOnlyKeys()
    {
        SigningKeyRing ring = SigningKeyRing.Open(KeyDirectory, 2048, _clock, TimeSpan.FromSeconds(30));

        Assert.Single(ring.Snapshot.Keys);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(KeyDirectory));
        string[] files = Directory.GetFiles(KeyDirectory);
        Assert.Equal(2, files.Length);
        Assert.All(files, f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
        Assert.Equal(ring.Snapshot.Current.KeyId, SigningKeyRing.Open(KeyDirectory, 2048, _clock, TimeSpan.FromSeconds(30)).Snapshot.Current.KeyId);
    }

    [Fact]
    public void Rotate_NewKeySigns_OldStaysPublishedUntilItsTokensExpire()
    {
        SigningKeyRing ring = SigningKeyRing.Open(KeyDirectory, 2048, _clock, TimeSpan.FromSeconds(30));
        SigningKey old = ring.Snapshot.Current;
        _clock.Advance(TimeSpan.FromHours(1));

        (SigningKey fresh, IReadOnlyList<string> deleted) = ring.Rotate();

        Assert.Empty(deleted);
        Assert.NotEqual(old.KeyId, fresh.KeyId);
        Assert.Equal(fresh.KeyId, ring.Snapshot.Current.KeyId);
        Assert.Equal([fresh.KeyId, old.KeyId], ring.Snapshot.Published(_clock.GetUtcNow(), Window).Select(k => k.KeyId));
        _clock.Advance(Window - TimeSpan.FromSeconds(1));
        Assert.Equal(2, ring.Snapshot.Published(_clock.GetUtcNow(), Window).Count);
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal([fresh.KeyId], ring.Snapshot.Published(_clock.GetUtcNow(), Window).Select(k => k.KeyId));
    }

    [Fact]
    public void Rotate_ByAnotherProcess_IsSeenAfterTheRefreshInterval()
    {
        SigningKeyRing server = SigningKeyRing.Open(KeyDirectory, 2048, _clock, TimeSpan.FromSeconds(30));
        SigningKeyRing operatorTool = SigningKeyRing.Open(KeyDirectory, 2048, _clock, TimeSpan.FromSeconds(30));
        _clock.Advance(TimeSpan.FromSeconds(1));

        SigningKey fresh = operatorTool.Rotate().NewKey;

        Assert.NotEqual(fresh.KeyId, server.Snapshot.Current.KeyId);
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(fresh.KeyId, server.Snapshot.Current.KeyId);
    }

    [Fact]
    public void Rotate_DeletesKeysRetiredLongerThanTheRetention()
    {
        SigningKeyRing ring = SigningKeyRing.Open(KeyDirectory, 2048, _clock, TimeSpan.FromSeconds(30));
        string first = ring.Snapshot.Current.FileName;
        _clock.Advance(TimeSpan.FromHours(1));
        string second = ring.Rotate().NewKey.FileName;
        _clock.Advance(SigningKeyRing.RetiredKeyRetention + TimeSpan.FromMinutes(1));

        (SigningKey third, IReadOnlyList<string> deleted) = ring.Rotate();

        Assert.Equal([first], deleted);
        Assert.Equal([second, third.FileName], ring.Snapshot.Keys.Select(k => k.FileName));
        Assert.False(File.Exists(Path.Combine(KeyDirectory, first)));
    }

    [Fact]
    public void Open_KeyReadableByOthers_IsRefused()
    {
        SigningKeyRing ring = SigningKeyRing.Open(KeyDirectory, 2048, _clock, TimeSpan.FromSeconds(30));
        File.SetUnixFileMode(Path.Combine(KeyDirectory, ring.Snapshot.Current.FileName), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => SigningKeyRing.Open(KeyDirectory, 2048, _clock, TimeSpan.FromSeconds(30)));
        Assert.Contains("0600", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("signing-garbage.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")]
    [InlineData("signing-20250101T000000000Z.pem", "not a key at all")]
    public void Open_DamagedKeyFile_IsRefusedWithItsName(string name, string content)
    {
        _ = SigningKeyRing.Open(KeyDirectory, 2048, _clock, TimeSpan.FromSeconds(30));
        File.WriteAllText(Path.Combine(KeyDirectory, name), content);
        File.SetUnixFileMode(Path.Combine(KeyDirectory, name), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => SigningKeyRing.Open(KeyDirectory, 2048, _clock, TimeSpan.FromSeconds(30)));
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }
}
