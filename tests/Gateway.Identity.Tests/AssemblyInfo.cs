// The tests check owner-only file modes (0600/0700): they run on Linux, as the gateway does.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
