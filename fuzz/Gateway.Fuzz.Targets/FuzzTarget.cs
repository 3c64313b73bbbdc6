namespace Gateway.Fuzz.Targets;

/// <summary>
/// One parser of untrusted input under fuzzing. <see cref="Run"/> feeds it one input and returns normally when the
/// parser accepted or rejected it the documented way; any other exception escaping it is a finding.
/// </summary>
/// <param name="Name">The name used on the command line and for the seed directory (<c>dataset</c>, <c>pdu</c>...).</param>
/// <param name="Run">Feeds one input to the parser.</param>
/// <param name="SmokeMutations">
/// How many mutations the test run's smoke pass feeds it: 3,000, fewer for a target whose one execution costs
/// milliseconds (files written and a whole log verified).
/// </param>
public sealed record FuzzTarget(string Name, Action<byte[]> Run, int SmokeMutations = 3000);
