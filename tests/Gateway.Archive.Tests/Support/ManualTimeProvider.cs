namespace Gateway.Archive.Tests.Support;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    public ManualTimeProvider(DateTimeOffset? start = null) => Now = start ?? new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    public DateTimeOffset Now { get; set; }

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}
