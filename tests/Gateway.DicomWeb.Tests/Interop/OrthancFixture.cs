using System.Net.Http.Headers;
using Gateway.Dicom.Interop.Tests.Support;
using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Dicom.Network.Tests.Support;
using Gateway.DicomWeb.Multipart;

namespace Gateway.DicomWeb.Tests.Interop;

/// <summary>
/// One Orthanc (Debian orthanc + orthanc-dicomweb) for a test class, loaded through STOW-RS with a body our
/// <see cref="MultipartWriter"/> wrote: six instances of the codec interop corpus, one of them JPEG-compressed.
/// </summary>
public sealed class OrthancFixture : IAsyncLifetime
{
    /// <summary>The stored inputs: a two-instance CT study (one native, one JPEG), an SR, and three character sets.</summary>
    internal static readonly string[] Inputs =
    [
        "ct-16bit/explicit-le", "ct-8bit-2frames/jpeg-baseline", "sr-comprehensive/explicit-le",
        "charset-latin1/explicit-le", "charset-utf8/explicit-le", "charset-greek/explicit-le",
    ];

    private readonly DcmtkFixture _dcmtk = new();
    private readonly TempDirectory _directory = new();
    private OrthancServer? _orthanc;

    /// <summary>The running Orthanc.</summary>
    internal OrthancServer Orthanc => _orthanc ?? throw new InvalidOperationException("Orthanc is not started.");

    /// <summary>The input files by input name.</summary>
    internal IReadOnlyDictionary<string, string> Files { get; private set; } = new Dictionary<string, string>();

    /// <summary>The HTTP status of the STOW-RS request.</summary>
    internal int StowStatus { get; private set; }

    /// <summary>Orthanc's STOW-RS response body.</summary>
    internal string StowResponse { get; private set; } = string.Empty;

    /// <summary>The DICOMweb root, "http://127.0.0.1:PORT/dicom-web".</summary>
    internal string Root => $"http://127.0.0.1:{Orthanc.HttpPort}/dicom-web";

    public async Task InitializeAsync()
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string input in Inputs)
        {
            files[input] = await _dcmtk.Corpus.GetAsync(InteropInput.Named(input));
        }

        Files = files;
        _orthanc = await OrthancServer.StartAsync(_directory.Path, "ORTHANC", []);

        using var body = new MemoryStream();
        var writer = new MultipartWriter(body, "application/dicom");
        foreach (string path in files.Values)
        {
            await using FileStream file = File.OpenRead(path);
            await writer.WritePartAsync("application/dicom", file);
        }

        await writer.CompleteAsync();
        body.Position = 0;
        using var content = new StreamContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(writer.ContentType.ToString());
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Root}/studies") { Content = content };
        request.Headers.Accept.ParseAdd("application/dicom+json");
        using HttpResponseMessage response = await Orthanc.Http.SendAsync(request);
        StowStatus = (int)response.StatusCode;
        StowResponse = await response.Content.ReadAsStringAsync();
    }

    public async Task DisposeAsync()
    {
        if (_orthanc is not null)
        {
            await _orthanc.DisposeAsync();
        }

        _directory.Dispose();
        _dcmtk.Dispose();
    }
}
