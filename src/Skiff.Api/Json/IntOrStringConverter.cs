using System.Text.Json;
using System.Text.Json.Serialization;
using Skiff.Api.Models;

namespace Skiff.Api.Json;

/// <summary>Reads a JSON number as the integer form and a JSON string as the string form, and writes
/// each back the way it came, so 80 and "80" stay distinct. Stateless; thread-safe.</summary>
public sealed class IntOrStringConverter : JsonConverter<IntOrString>
{
    public override IntOrString Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadValue(ref reader);

    /// <summary>The value at the reader's current token.</summary>
    public static IntOrString ReadValue(ref Utf8JsonReader reader) =>
        reader.TokenType switch
        {
            JsonTokenType.Number => IntOrString.FromInt(reader.GetInt32()),
            JsonTokenType.String => IntOrString.FromString(reader.GetString()!),
            _ => throw new JsonException($"IntOrString must be a number or a string, not {reader.TokenType}."),
        };

    public override void Write(Utf8JsonWriter writer, IntOrString value, JsonSerializerOptions options)
    {
        if (value.IsString) writer.WriteStringValue(value.StringValue);
        else writer.WriteNumberValue(value.IntValue);
    }
}
