using System.Text.Json.Serialization;

namespace Gateway.Identity;

/// <summary>Source-generated JSON for the few values the identity stores or reads.</summary>
[JsonSerializable(typeof(string[]))]
internal sealed partial class IdentityJsonContext : JsonSerializerContext;
