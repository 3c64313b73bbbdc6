using BenchmarkDotNet.Attributes;
using Gateway.Identity.Passwords;

namespace Gateway.Identity.Benchmarks;

/// <summary>Argon2id with the default parameters (m = 19 MiB, t = 2, p = 1): the cost of one login.</summary>
[MemoryDiagnoser]
public class PasswordBenchmarks
{
    private const string Password = "correct horse battery staple";
    private readonly string _hash = Argon2idHasher.Hash(Password, Argon2idParameters.Default);

    [Benchmark]
    public string Hash() => Argon2idHasher.Hash(Password, Argon2idParameters.Default);

    [Benchmark]
    public bool Verify() => Argon2idHasher.Verify(Password, _hash);
}
