using System.Numerics;

namespace Gateway.Archive.Tests.Support;

/// <summary>Fresh UIDs under 2.25 (PS3.5 B.2: a UUID as a decimal integer).</summary>
internal static class TestUids
{
    public static string New() => "2.25." + new BigInteger(Guid.NewGuid().ToByteArray(), isUnsigned: true).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
