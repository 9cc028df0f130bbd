using System.Text.Json;
using System.Text.Json.Serialization;

namespace Skiff.Api.Json;

/// <summary>metav1.Time on a DateTimeOffset? property: RFC 3339 at whole seconds. Stateless; thread-safe.</summary>
public sealed class TimeConverter : JsonConverter<DateTimeOffset?>
{
    public override bool HandleNull => true;

    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        KubernetesTime.Read(ref reader);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
    {
        if (value is { } v) writer.WriteStringValue(KubernetesTime.FormatTime(v));
        else writer.WriteNullValue();
    }
}

/// <summary>metav1.MicroTime on a DateTimeOffset? property: RFC 3339 with six fractional digits.
/// Stateless; thread-safe.</summary>
public sealed class MicroTimeConverter : JsonConverter<DateTimeOffset?>
{
    public override bool HandleNull => true;

    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        KubernetesTime.Read(ref reader);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
    {
        if (value is { } v) writer.WriteStringValue(KubernetesTime.FormatMicroTime(v));
        else writer.WriteNullValue();
    }
}

/// <summary>A map of metav1.Time values (string key to timestamp), each written at whole seconds.
/// Stateless; thread-safe.</summary>
public sealed class TimeMapConverter : JsonConverter<Dictionary<string, DateTimeOffset>?>
{
    public override Dictionary<string, DateTimeOffset>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        ReadValue(ref reader);

    public override void Write(Utf8JsonWriter writer, Dictionary<string, DateTimeOffset>? value, JsonSerializerOptions options)
    {
        if (value is null) writer.WriteNullValue();
        else WriteValue(writer, value);
    }

    /// <summary>The map at the reader's current token (null for a JSON null).</summary>
    public static Dictionary<string, DateTimeOffset>? ReadValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("A map of timestamps must be an object.");
        var map = new Dictionary<string, DateTimeOffset>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = reader.GetString()!;
            reader.Read();
            if (KubernetesTime.Read(ref reader) is { } value) map[key] = value;
        }
        return map;
    }

    public static void WriteValue(Utf8JsonWriter writer, Dictionary<string, DateTimeOffset> value)
    {
        writer.WriteStartObject();
        foreach (var (key, time) in value) writer.WriteString(key, KubernetesTime.FormatTime(time));
        writer.WriteEndObject();
    }
}
