using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.Api.FieldManagement;

/// <summary>
/// The value rules structured-merge-diff uses: a total order over JSON values (numbers, then strings, then
/// booleans, then lists, then maps, then null) and the compact JSON text Go writes for a value inside a
/// field path, so keys like <c>k:{"containerPort":80,"protocol":"TCP"}</c> read byte for byte as upstream's.
/// </summary>
internal static class JsonValues
{
    private enum Rank { Number, String, Bool, List, Map, Null }

    private static Rank RankOf(JsonNode? node) => node switch
    {
        null => Rank.Null,
        JsonArray => Rank.List,
        JsonObject => Rank.Map,
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.Number => Rank.Number,
            JsonValueKind.String => Rank.String,
            JsonValueKind.True or JsonValueKind.False => Rank.Bool,
            _ => Rank.Null,
        },
        _ => Rank.Null,
    };

    public static int Compare(JsonNode? a, JsonNode? b)
    {
        var (ra, rb) = (RankOf(a), RankOf(b));
        if (ra != rb) return ra.CompareTo(rb);
        switch (ra)
        {
            case Rank.Number: return AsDouble(a!).CompareTo(AsDouble(b!));
            case Rank.String: return string.CompareOrdinal(a!.GetValue<string>(), b!.GetValue<string>());
            case Rank.Bool: return (a!.GetValueKind() == JsonValueKind.True).CompareTo(b!.GetValueKind() == JsonValueKind.True);
            case Rank.List:
            {
                var (la, lb) = (a!.AsArray(), b!.AsArray());
                for (var i = 0; i < Math.Min(la.Count, lb.Count); i++)
                    if (Compare(la[i], lb[i]) is var c && c != 0) return c;
                return la.Count.CompareTo(lb.Count);
            }
            case Rank.Map:
            {
                var ka = a!.AsObject().OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
                var kb = b!.AsObject().OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
                for (var i = 0; i < Math.Min(ka.Count, kb.Count); i++)
                {
                    var c = string.CompareOrdinal(ka[i].Key, kb[i].Key);
                    if (c == 0) c = Compare(ka[i].Value, kb[i].Value);
                    if (c != 0) return c;
                }
                return ka.Count.CompareTo(kb.Count);
            }
            default: return 0;
        }
    }

    public static bool Equal(JsonNode? a, JsonNode? b) =>
        RankOf(a) == Rank.Number && RankOf(b) == Rank.Number ? AsDouble(a!) == AsDouble(b!) : JsonNode.DeepEquals(a, b);

    /// <summary>A hash consistent with <see cref="Compare"/> (1 and 1.0 hash alike).</summary>
    public static int Hash(JsonNode? node) => RankOf(node) switch
    {
        Rank.Number => AsDouble(node!).GetHashCode(),
        Rank.String => StringComparer.Ordinal.GetHashCode(node!.GetValue<string>()),
        Rank.Bool => node!.GetValueKind().GetHashCode(),
        Rank.List => node!.AsArray().Aggregate(17, (h, item) => HashCode.Combine(h, Hash(item))),
        Rank.Map => node!.AsObject().OrderBy(p => p.Key, StringComparer.Ordinal).Aggregate(19, (h, p) => HashCode.Combine(h, p.Key, Hash(p.Value))),
        _ => 0,
    };

    private static double AsDouble(JsonNode n) =>
        double.Parse(n.AsValue().ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>Compact JSON as Go's encoder writes it (object keys in the given order).</summary>
    public static void Write(StringBuilder sb, JsonNode? node)
    {
        switch (node)
        {
            case null: sb.Append("null"); break;
            case JsonObject o:
                sb.Append('{');
                var first = true;
                foreach (var (k, v) in o)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    WriteString(sb, k);
                    sb.Append(':');
                    Write(sb, v);
                }
                sb.Append('}');
                break;
            case JsonArray a:
                sb.Append('[');
                for (var i = 0; i < a.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    Write(sb, a[i]);
                }
                sb.Append(']');
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String: WriteString(sb, v.GetValue<string>()); break;
            default: sb.Append(node.ToJsonString()); break;
        }
    }

    /// <summary>Compact JSON with object keys sorted, as Go encodes a map[string]interface{}.</summary>
    public static void WriteSorted(StringBuilder sb, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                sb.Append('{');
                var first = true;
                foreach (var (k, v) in o.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first) sb.Append(',');
                    first = false;
                    WriteString(sb, k);
                    sb.Append(':');
                    WriteSorted(sb, v);
                }
                sb.Append('}');
                break;
            case JsonArray a:
                sb.Append('[');
                for (var i = 0; i < a.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    WriteSorted(sb, a[i]);
                }
                sb.Append(']');
                break;
            default:
                Write(sb, node);
                break;
        }
    }

    public static string ToJson(JsonNode? node)
    {
        var sb = new StringBuilder();
        Write(sb, node);
        return sb.ToString();
    }

    /// <summary>A JSON string with Go's escaping: control characters, quote, backslash, &lt; &gt; &amp; and
    /// U+2028/U+2029 escaped; every other character written as is.</summary>
    public static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var ch in s)
        {
            switch (ch)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '<' or '>' or '&' or '\u2028' or '\u2029': sb.Append("\\u").Append(((int)ch).ToString("x4", CultureInfo.InvariantCulture)); break;
                default:
                    if (ch < 0x20) sb.Append("\\u").Append(((int)ch).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(ch);
                    break;
            }
        }
        sb.Append('"');
    }

    /// <summary>A value as Go's <c>value.ToString</c> prints it in a field path: strings quoted, the rest bare.</summary>
    public static string Display(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => ToJson(v),
        null => "null",
        _ => ToJson(node),
    };
}
