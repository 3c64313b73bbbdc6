using System.Text.Json.Serialization;

namespace Gateway.Audit.Records;

/// <summary>Source-generated JSON for <see cref="AuditRecord"/>: the plaintext that is encrypted, and the jsonl export.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    AllowDuplicateProperties = false,
    MaxDepth = 16)]
[JsonSerializable(typeof(AuditRecord))]
internal sealed partial class AuditRecordJsonContext : JsonSerializerContext;
