namespace Gateway.Identity.Keys;

/// <summary>The signing keys on disk at one moment, oldest first; the newest signs.</summary>
/// <param name="Keys">Every signing key, ordered by creation.</param>
public sealed record KeyRingSnapshot(IReadOnlyList<SigningKey> Keys)
{
    /// <summary>The key that signs new tokens: the newest.</summary>
    public SigningKey Current => Keys[^1];

    /// <summary>When <paramref name="key"/> stopped signing (its successor's creation), or null for the current key.</summary>
    public DateTimeOffset? RetiredAt(SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        for (int i = 0; i < Keys.Count - 1; i++)
        {
            if (ReferenceEquals(Keys[i], key))
            {
                return Keys[i + 1].CreatedAt;
            }
        }

        return null;
    }

    /// <summary>
    /// The keys to publish and accept at <paramref name="now"/>: the current one, and each retired one until every token it
    /// signed has expired (retirement + <paramref name="tokenWindow"/>), newest first.
    /// </summary>
    public IReadOnlyList<SigningKey> Published(DateTimeOffset now, TimeSpan tokenWindow)
    {
        var published = new List<SigningKey>(Keys.Count);
        for (int i = Keys.Count - 1; i >= 0; i--)
        {
            if (i == Keys.Count - 1 || Keys[i + 1].CreatedAt + tokenWindow > now)
            {
                published.Add(Keys[i]);
            }
        }

        return published;
    }
}
