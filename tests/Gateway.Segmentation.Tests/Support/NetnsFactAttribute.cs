namespace Gateway.Segmentation.Tests.Support;

/// <summary>
/// A fact that needs Linux network namespaces: reported as skipped, with the reason, where <c>ip netns add</c> is not
/// permitted (never as passed).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
internal sealed class NetnsFactAttribute : FactAttribute
{
    public NetnsFactAttribute()
    {
        if (NetworkNamespaces.UnavailableReason is { } reason)
        {
            Skip = reason;
        }
    }
}
