using BenchmarkDotNet.Running;

namespace Gateway.DicomWeb.Benchmarks;

/// <summary>Runs the DICOMweb benchmarks: <c>dotnet run -c Release --project bench/Gateway.DicomWeb.Benchmarks -- --filter '*'</c>.</summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
