using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Host.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;

namespace Gateway.Host.Tests.Configuration;

/// <summary>
/// The gateway watches no configuration file. The host's default watch of appsettings.json is a recursive inotify
/// watch of the working directory, which holds the data directory on embedded defaults: every archive, index and
/// audit write would wake it. Nothing re-reads options at run time, so nothing is lost.
/// </summary>
public sealed class ConfigurationWatchTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Build_LoadsAppSettingsFromTheWorkingDirectory_WithoutWatchingIt()
    {
        (Dictionary<string, string?> settings, _, _, _) = await GatewayProcess.PrepareAsync(_temp.Path, null, GatewayProcess.DefaultPolicy);
        WebApplication app = GatewayApplication.Build([], configuration => configuration.AddInMemoryCollection(settings));
        await using (app)
        {
            var builder = Assert.IsAssignableFrom<IConfigurationBuilder>(app.Configuration);
            List<FileConfigurationSource> files = builder.Sources.OfType<FileConfigurationSource>().ToList();

            // The site's appsettings.json in the working directory is still read (so the check below is not vacuous)...
            Assert.Contains(files, source => source.Path == "appsettings.json"
                && source.FileProvider is PhysicalFileProvider provider
                && Path.TrimEndingDirectorySeparator(provider.Root) == Path.TrimEndingDirectorySeparator(Directory.GetCurrentDirectory()));

            // ...but no file source, there or beside the binary, is watched for changes.
            Assert.All(files, source => Assert.False(source.ReloadOnChange, source.Path + " is watched for changes"));
        }
    }
}
