using BenchmarkDotNet.Running;

namespace Gateway.Dicom.Benchmarks;

/// <summary>Runs the codec benchmarks: <c>dotnet run -c Release --project bench/Gateway.Dicom.Benchmarks -- --filter '*'</c>.</summary>
/// <remarks><c>-- --write-ct FILE</c> writes the benchmark's CT instance to FILE (to inspect it with dcmdump) and exits.</remarks>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static void Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 2 && args[0] == "--write-ct")
        {
            File.WriteAllBytes(args[1], CtImage.File);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
