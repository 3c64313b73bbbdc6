// The archive tests check POSIX permission bits (key files, directories) and run where the gateway runs.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
