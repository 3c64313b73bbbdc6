using Gateway.Identity.Passwords;

namespace Gateway.Identity.Tests.Passwords;

public sealed class Argon2idHasherTests
{
    private static readonly Argon2idParameters Small = new(64, 1, 1);

    // Made with the reference implementation (Debian's argon2 20171227):
    //   echo -n "correct horse battery staple" | argon2 c29tZXNhbHQxMjM0 -id -t 2 -m 10 -p 1 -l 32 -e
    //   echo -n "correct horse battery staple" | argon2 saltsaltsaltsalt -id -t 3 -k 64 -p 2 -l 32 -e
    [Theory]
    [InlineData("$argon2id$v=19$m=1024,t=2,p=1$YzI5dFpYTmhiSFF4TWpNMA$e6gbtsP0UQOIyXQzWLcylm1CFGcjcGVGJiLN8mkXX4Q")]
    [InlineData("$argon2id$v=19$m=64,t=3,p=2$c2FsdHNhbHRzYWx0c2FsdA$rkBwy03OwrFbP0+11Pf+jbxdC+0gq7PfKhzS9GwWhiA")]
    public void Verify_ReferenceImplementationHash_Matches(string encoded)
    {
        Assert.True(Argon2idHasher.Verify("correct horse battery staple", encoded));
        Assert.False(Argon2idHasher.Verify("correct horse battery stapler", encoded));
    }

    [Fact]
    public void Hash_ThenVerify_OnlyTheSamePasswordMatches()
    {
        string encoded = Argon2idHasher.Hash("a long enough password", Small);

        Assert.True(Argon2idHasher.Verify("a long enough password", encoded));
        Assert.False(Argon2idHasher.Verify("a long enough passworD", encoded));
        Assert.False(Argon2idHasher.Verify(string.Empty, encoded));
    }

    [Fact]
    public void Hash_PhcString_CarriesParametersAndFreshSalt()
    {
        string first = Argon2idHasher.Hash("a long enough password", Small);
        string second = Argon2idHasher.Hash("a long enough password", Small);

        Assert.StartsWith("$argon2id$v=19$m=64,t=1,p=1$", first, StringComparison.Ordinal);
        Assert.NotEqual(first, second);
        Assert.True(Argon2idHasher.TryParse(first, out Argon2idParameters parameters, out byte[] salt, out byte[] hash));
        Assert.Equal(Small, parameters);
        Assert.Equal(16, salt.Length);
        Assert.Equal(32, hash.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$rkBwy03OwrFbP0+11Pf+jbxdC+0gq7PfKhzS9GwWhiA")]
    [InlineData("$argon2id$v=16$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$rkBwy03OwrFbP0+11Pf+jbxdC+0gq7PfKhzS9GwWhiA")]
    [InlineData("$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA")]
    [InlineData("$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$rkBwy03OwrFbP0+11Pf+jbxdC+0gq7PfKhzS9GwWhiA")]
    [InlineData("$argon2id$v=19$m=64,t=1000,p=1$c2FsdHNhbHRzYWx0c2FsdA$rkBwy03OwrFbP0+11Pf+jbxdC+0gq7PfKhzS9GwWhiA")]
    [InlineData("$argon2id$v=19$m=64,t=1,p=1$!!!!$rkBwy03OwrFbP0+11Pf+jbxdC+0gq7PfKhzS9GwWhiA")]
    [InlineData("$argon2id$v=19$m=-1,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$rkBwy03OwrFbP0+11Pf+jbxdC+0gq7PfKhzS9GwWhiA")]
    [InlineData("$argon2id$v=19$m=64,t=1,p=1,x=3$c2FsdHNhbHRzYWx0c2FsdA$rkBwy03OwrFbP0+11Pf+jbxdC+0gq7PfKhzS9GwWhiA")]
    public void Verify_MalformedOrOutOfLimitsHash_IsFalseWithoutThrowing(string encoded)
    {
        Assert.False(Argon2idHasher.Verify("correct horse battery staple", encoded));
        Assert.False(Argon2idHasher.TryParse(encoded, out _, out _, out _));
    }

    [Fact]
    public void Hash_ShortOrControlCharacterPassword_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => Argon2idHasher.Hash("short", Small));
        Assert.Throws<ArgumentException>(() => Argon2idHasher.Hash("long enough but\nwith a newline", Small));
        Assert.Throws<ArgumentException>(() => Argon2idHasher.Hash(new string('x', Argon2idHasher.MaxPasswordBytes + 1), Small));
    }

    [Fact]
    public void NeedsRehash_OtherParameters_IsTrue()
    {
        string encoded = Argon2idHasher.Hash("a long enough password", Small);

        Assert.False(Argon2idHasher.NeedsRehash(encoded, Small));
        Assert.True(Argon2idHasher.NeedsRehash(encoded, Small with { Iterations = 2 }));
        Assert.True(Argon2idHasher.NeedsRehash("not a hash", Small));
    }
}
