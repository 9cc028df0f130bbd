using System.Text.Json.Serialization;

namespace Skiff.Api.Json;

/// <summary>
/// The source-generated serializer for the models the typed code reads and writes: ModelGen's
/// JsonContextWriter.Roots (every kind KubeClient has a typed client for, and the bodies components send on
/// their own) and every model those reach, generated into Generated/SkiffJsonContext.g.cs. The other
/// generated classes have no JSON metadata here: each type in the context costs the Native AOT binary about
/// sixty generic instantiations, all rehydrated into memory at start. Nulls are left out when writing, as upstream omits empty
/// optional fields; Quantity, IntOrString and the timestamp forms carry their own converters.
/// <see cref="JsonSerializerContext.Default"/> is immutable after first use and safe to share.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
public partial class SkiffJsonContext : JsonSerializerContext;
