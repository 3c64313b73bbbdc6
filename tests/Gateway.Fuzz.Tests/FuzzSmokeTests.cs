using System.Diagnostics;
using System.Globalization;
using Gateway.Fuzz.Targets;

namespace Gateway.Fuzz.Tests;

/// <summary>
/// Each fuzz target on its seeds and <see cref="FuzzTarget.SmokeMutations"/> deterministic mutations of them: no input may make a parser
/// throw anything but its documented rejection. A failure names the iteration (reproduce it with
/// <see cref="FuzzMutator.Mutate"/>) and leaves the input in a file for <c>fuzz/run-afl.sh</c>'s corpus and a regression test.
/// </summary>
public sealed class FuzzSmokeTests
{
    public static TheoryData<string> Targets => [.. FuzzTargets.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Target_SeedsAndMutations_OnlyDocumentedRejections(string name)
    {
        FuzzTarget target = FuzzTargets.Get(name);
        IReadOnlyList<byte[]> seeds = FuzzSeeds.For(name, FuzzSeeds.FindRepository(AppContext.BaseDirectory));
        Assert.NotEmpty(seeds);

        var clock = Stopwatch.StartNew();
        for (int i = 0; i < seeds.Count; i++)
        {
            RunOne(target, seeds[i], $"seed {i.ToString(CultureInfo.InvariantCulture)}");
        }

        for (int i = 0; i < target.SmokeMutations; i++)
        {
            RunOne(target, FuzzMutator.Mutate(seeds, i), $"mutation {i.ToString(CultureInfo.InvariantCulture)}");
        }

        // Not a speed test: a bound so that a parser gone quadratic on some input shows up here rather than as a hang.
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), $"{name}: {seeds.Count + target.SmokeMutations} inputs took {clock.Elapsed}");
    }

    [Fact]
    public void Mutate_SameIteration_SameBytes_AndDifferentIterationsDiffer()
    {
        IReadOnlyList<byte[]> seeds = FuzzSeeds.For("pdu", FuzzSeeds.FindRepository(AppContext.BaseDirectory));

        Assert.Equal(FuzzMutator.Mutate(seeds, 17), FuzzMutator.Mutate(seeds, 17));
        Assert.True(Enumerable.Range(0, 50).Select(i => Convert.ToHexString(FuzzMutator.Mutate(seeds, i))).Distinct().Count() > 40);
    }

    [Fact]
    public void SplitParts_OfJoinedParts_GivesThemBack_AndTheLastPartKeepsTheRest()
    {
        byte[][] parts = [[1, 2], [], [3]];

        Assert.Equal(parts, FuzzTargets.SplitParts(FuzzTargets.JoinParts(parts), 3));
        Assert.Equal([[1, 2], [.. FuzzTargets.PartSeparator, 3]], FuzzTargets.SplitParts(FuzzTargets.JoinParts(parts), 2));
        Assert.Equal([[1, 2, 3]], FuzzTargets.SplitParts([1, 2, 3], 5));
    }

    private static void RunOne(FuzzTarget target, byte[] input, string what)
    {
        try
        {
            target.Run(input);
        }
        catch (Exception ex)
        {
            string file = Path.Combine(Path.GetTempPath(), $"gateway-fuzz-{target.Name}-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(input))[..16]}.bin");
            File.WriteAllBytes(file, input);
            Assert.Fail($"{target.Name}, {what}: {ex.GetType().FullName}: {ex.Message} (input, {input.Length} bytes, in {file}){Environment.NewLine}{ex.StackTrace}");
        }
    }
}
