using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Skiff.Api.Models;

namespace Skiff.Api.Json;

/// <summary>Writes a <see cref="Quantity"/> as a JSON string holding its exact text. Reads a string,
/// and also a bare number (upstream accepts "cpu": 2), keeping the number's original text.
/// Stateless; thread-safe.</summary>
public sealed class QuantityConverter : JsonConverter<Quantity>
{
    public override Quantity Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadValue(ref reader);

    /// <summary>The quantity at the reader's current token.</summary>
    public static Quantity ReadValue(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return new Quantity(reader.GetString()!);
            case JsonTokenType.Number:
                // The raw token is the number exactly as sent; re-formatting a double could change it.
                var raw = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan.ToArray();
                return new Quantity(System.Text.Encoding.UTF8.GetString(raw));
            default:
                throw new JsonException($"Quantity must be a string or a number, not {reader.TokenType}.");
        }
    }

    public override void Write(Utf8JsonWriter writer, Quantity value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Value ?? "");
}
