using BenchmarkDotNet.Running;

namespace Gateway.Identity.Benchmarks;

/// <summary>
/// Runs the identity benchmarks: <c>dotnet run -c Release --project bench/Gateway.Identity.Benchmarks -- --filter '*' --job short</c>.
/// </summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
