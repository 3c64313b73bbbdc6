namespace Gateway.Host.DicomWeb;

/// <summary>Error responses of the DICOMweb front door: RFC 9457 problem details, no PHI, no internals.</summary>
internal static class DicomWebResults
{
    public static Task ProblemAsync(HttpContext context, int status, string detail)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        return context.Response.WriteAsJsonAsync(
            new Problem(status, detail),
            DicomWebJsonContext.Default.Problem,
            "application/problem+json",
            context.RequestAborted);
    }

    internal sealed record Problem(int Status, string Detail)
    {
        public string Type => "about:blank";
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(DicomWebResults.Problem))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class DicomWebJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
