namespace Gateway.Identity.Passwords;

/// <summary>Argon2id cost parameters (RFC 9106), stored with every hash so that they can change without breaking old hashes.</summary>
/// <param name="MemoryKiB">Memory in KiB (m).</param>
/// <param name="Iterations">Passes over the memory (t).</param>
/// <param name="Parallelism">Lanes (p).</param>
public readonly record struct Argon2idParameters(int MemoryKiB, int Iterations, int Parallelism)
{
    /// <summary>Largest memory a stored hash may ask for (1 GiB): a tampered row must not exhaust the host.</summary>
    public const int MaxMemoryKiB = 1024 * 1024;

    /// <summary>Most iterations a stored hash may ask for.</summary>
    public const int MaxIterations = 64;

    /// <summary>Most lanes a stored hash may ask for.</summary>
    public const int MaxParallelism = 16;

    /// <summary>OWASP's first recommendation for Argon2id: m = 19 MiB, t = 2, p = 1.</summary>
    public static Argon2idParameters Default { get; } = new(19 * 1024, 2, 1);

    /// <summary>The problem with these parameters, or null when they are within RFC 9106's rules and the limits above.</summary>
    public string? Validate()
    {
        if (Parallelism is < 1 or > MaxParallelism)
        {
            return $"parallelism must be 1-{MaxParallelism}";
        }

        if (Iterations is < 1 or > MaxIterations)
        {
            return $"iterations must be 1-{MaxIterations}";
        }

        // RFC 9106 3.1: m >= 8 * p KiB.
        if (MemoryKiB < 8 * Parallelism || MemoryKiB > MaxMemoryKiB)
        {
            return $"memory must be {8 * Parallelism} KiB to {MaxMemoryKiB} KiB";
        }

        return null;
    }
}
