namespace Gateway.Cli.Dicom;

/// <summary>Where the runtime runs the continuations of socket operations (Linux and macOS).</summary>
public static class SocketContinuations
{
    /// <summary>
    /// The runtime's switch: "1" runs each socket continuation on the event thread that saw the socket ready, instead of
    /// handing it to the thread pool (System.Net.Sockets, dotnet/runtime pull request 34945).
    /// </summary>
    public const string InlineVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Runs socket continuations inline, unless the environment already says otherwise (an operator's "0" wins). Call
    /// before the first socket is used: the runtime reads the switch once.
    /// </summary>
    /// <remarks>
    /// For the short-lived <c>gatewayctl dicom</c> commands: with <see cref="Gateway.Dicom.Network.Associations.AssociationOptions.RunHandlersOnReceiveThread"/>
    /// an association is then received, handled and written to disk by one thread, as in DCMTK's tools. A TLS
    /// <c>dicom scp</c> receiving 500 CT images cost a third fewer CPU seconds and about a sixth of the context switches
    /// (bench/NETWORK.md). The runtime then has one event thread per core, and a handler's blocking file I/O holds up
    /// the other associations served by the same thread, so the gateway, which serves many devices at once, does not
    /// use it. Nothing in these commands waits synchronously for a socket, which would deadlock an event thread.
    /// </remarks>
    public static void PreferInline()
    {
        if (Environment.GetEnvironmentVariable(InlineVariable) is null)
        {
            Environment.SetEnvironmentVariable(InlineVariable, "1");
        }
    }
}
