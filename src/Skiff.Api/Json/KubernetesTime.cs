using System.Globalization;
using System.Text.Json;

namespace Skiff.Api.Json;

/// <summary>
/// The two timestamp wire forms of the Kubernetes API: metav1.Time is RFC 3339 in UTC at whole seconds
/// ("2026-01-02T03:04:05Z"); metav1.MicroTime adds six fractional digits ("2026-01-02T03:04:05.123456Z").
/// Reading accepts any RFC 3339 form (offsets, any number of fractional digits). Stateless; thread-safe.
/// </summary>
public static class KubernetesTime
{
    private const string SecondsFormat = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'";
    private const string MicrosFormat = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'ffffff'Z'";

    /// <summary>Formats as metav1.Time; sub-second precision is dropped, as upstream does.</summary>
    public static string FormatTime(DateTimeOffset value) =>
        value.UtcDateTime.ToString(SecondsFormat, CultureInfo.InvariantCulture);

    /// <summary>Formats as metav1.MicroTime; below-microsecond precision is dropped.</summary>
    public static string FormatMicroTime(DateTimeOffset value) =>
        value.UtcDateTime.ToString(MicrosFormat, CultureInfo.InvariantCulture);

    /// <summary>Parses any RFC 3339 timestamp; throws <see cref="JsonException"/> on anything else.</summary>
    public static DateTimeOffset Parse(string text)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
            return value;
        throw new JsonException($"'{text}' is not an RFC 3339 timestamp.");
    }

    internal static DateTimeOffset? Read(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.String)
            throw new JsonException($"A timestamp must be a string, not {reader.TokenType}.");
        var text = reader.GetString()!;
        // Upstream encodes the zero time as null, and some clients send "" for it.
        return text.Length == 0 ? null : Parse(text);
    }
}
