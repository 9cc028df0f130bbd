using System.Text.Json.Serialization;

namespace Skiff.Api.Json;

/// <summary>
/// The source-generated serializer for every built-in model (the [JsonSerializable] list is generated
/// into Generated/SkiffJsonContext.g.cs). Nulls are left out when writing, as upstream omits empty
/// optional fields; Quantity, IntOrString and the timestamp forms carry their own converters.
/// <see cref="JsonSerializerContext.Default"/> is immutable after first use and safe to share.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
public partial class SkiffJsonContext : JsonSerializerContext;
