using System.Runtime.InteropServices;
using Gateway.Cli.Dicom;

namespace Gateway.Cli.Tests.Dicom;

/// <summary>The native dicom commands point OpenSSL's system store at nothing, in the native environment OpenSSL reads.</summary>
public sealed partial class SystemTrustStoreTests
{
    [Fact]
    public void Ignore_PointsTheVariablesOpenSslReadsAtNothing_AlsoWhereTheyWereSet()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string?[] saved = [.. SystemTrustStore.Variables.Select(GetEnv)];
        try
        {
            UnsetEnv("SSL_CERT_FILE");
            SetEnv("SSL_CERT_DIR", "/etc/operator-choice", 1);

            SystemTrustStore.Ignore();

            Assert.Equal("/dev/null", GetEnv("SSL_CERT_FILE"));
            Assert.Equal("/dev/null", GetEnv("SSL_CERT_DIR"));
        }
        finally
        {
            for (int i = 0; i < saved.Length; i++)
            {
                if (saved[i] is { } value)
                {
                    SetEnv(SystemTrustStore.Variables[i], value, 1);
                }
                else
                {
                    UnsetEnv(SystemTrustStore.Variables[i]);
                }
            }
        }
    }

    private static string? GetEnv(string name) => Marshal.PtrToStringUTF8(NativeGetEnv(name));

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr NativeGetEnv(string name);

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "unsetenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UnsetEnv(string name);
}
