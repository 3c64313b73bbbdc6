namespace Gateway.DicomWeb.Qido;

/// <summary>Why a QIDO-RS request was refused: the answer is 400 Bad Request with this message (it never quotes a value).</summary>
/// <param name="Parameter">The query parameter (or path segment) at fault, or null for the request as a whole.</param>
/// <param name="Message">What is wrong with it.</param>
public sealed record QidoQueryError(string? Parameter, string Message)
{
    /// <summary>The HTTP status: always 400.</summary>
    public int StatusCode => 400;

    /// <inheritdoc />
    public override string ToString() => Parameter is null ? Message : $"{Parameter}: {Message}";
}
