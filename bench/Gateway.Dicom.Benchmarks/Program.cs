using BenchmarkDotNet.Running;

namespace Gateway.Dicom.Benchmarks;

/// <summary>Runs the codec benchmarks: <c>dotnet run -c Release --project bench/Gateway.Dicom.Benchmarks -- --filter '*'</c>.</summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
