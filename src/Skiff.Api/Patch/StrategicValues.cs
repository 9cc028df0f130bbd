using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.Api.Patch;

/// <summary>The JSON types strategic merge patch distinguishes (upstream compares decoded Go types).</summary>
internal enum StrategicKind { Null, Object, Array, String, Number, Bool }

/// <summary>
/// Value helpers for the strategic merge patch engine: JSON type, equality as upstream compares decoded
/// values, and Go's <c>%v</c> rendering so error messages read as upstream's do.
/// </summary>
internal static class StrategicValues
{
    public static StrategicKind KindOf(JsonNode? node) => node switch
    {
        null => StrategicKind.Null,
        JsonObject => StrategicKind.Object,
        JsonArray => StrategicKind.Array,
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => StrategicKind.String,
            JsonValueKind.Number => StrategicKind.Number,
            JsonValueKind.True or JsonValueKind.False => StrategicKind.Bool,
            JsonValueKind.Null => StrategicKind.Null,
            _ => StrategicKind.Null,
        },
    };

    /// <summary>Equal as decoded JSON values (so 80 and 80.0 match, as two float64s do upstream).</summary>
    public static bool Same(JsonNode? a, JsonNode? b) => JsonNode.DeepEquals(a, b);

    /// <summary>The Go type upstream's messages name for a decoded value.</summary>
    public static string GoType(JsonNode? node) => KindOf(node) switch
    {
        StrategicKind.Object => "map[string]interface {}",
        StrategicKind.Array => "[]interface {}",
        StrategicKind.String => "string",
        StrategicKind.Number => "float64",
        StrategicKind.Bool => "bool",
        _ => "<nil>",
    };

    /// <summary>The word Go's JSON decoder uses for a value it cannot put into a map.</summary>
    public static string JsonTypeWord(JsonNode node) => KindOf(node) switch
    {
        StrategicKind.Array => "array",
        StrategicKind.String => "string",
        StrategicKind.Number => "number",
        StrategicKind.Bool => "bool",
        _ => "object",
    };

    /// <summary>Go's <c>%s</c> of a value: a string as itself, anything else as <c>%v</c>.</summary>
    public static string FormatString(JsonNode? node) =>
        KindOf(node) == StrategicKind.String ? node!.GetValue<string>() : Format(node);

    /// <summary>Go's <c>%v</c> of a decoded value: <c>map[k:v ...]</c> with sorted keys, <c>[a b]</c>, bare strings.</summary>
    public static string Format(JsonNode? node)
    {
        var text = new StringBuilder();
        Write(text, node);
        return text.ToString();
    }

    private static void Write(StringBuilder text, JsonNode? node)
    {
        switch (KindOf(node))
        {
            case StrategicKind.Object:
                text.Append("map[");
                var first = true;
                foreach (var (key, value) in ((JsonObject)node!).OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first) text.Append(' ');
                    first = false;
                    text.Append(key).Append(':');
                    Write(text, value);
                }
                text.Append(']');
                break;
            case StrategicKind.Array:
                text.Append('[');
                var firstItem = true;
                foreach (var item in (JsonArray)node!)
                {
                    if (!firstItem) text.Append(' ');
                    firstItem = false;
                    Write(text, item);
                }
                text.Append(']');
                break;
            case StrategicKind.String: text.Append(node!.GetValue<string>()); break;
            case StrategicKind.Number: text.Append(FormatNumber(node!.GetValue<double>())); break;
            case StrategicKind.Bool: text.Append(node!.GetValue<bool>() ? "true" : "false"); break;
            default: text.Append("<nil>"); break;
        }
    }

    // Go prints a float64 with %v in shortest form, switching to an exponent from 1e+06 on (or below 1e-04).
    private static string FormatNumber(double value)
    {
        var magnitude = Math.Abs(value);
        if (magnitude == 0 || (magnitude >= 1e-4 && magnitude < 1e6)) return value.ToString("R", CultureInfo.InvariantCulture);
        var exponent = (int)Math.Floor(Math.Log10(magnitude));
        var mantissa = (value / Math.Pow(10, exponent)).ToString("R", CultureInfo.InvariantCulture);
        return $"{mantissa}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}";
    }
}
