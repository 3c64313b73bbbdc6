// The audit log's tests exercise POSIX permissions, fsync of directories and a local rsyslog: Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
