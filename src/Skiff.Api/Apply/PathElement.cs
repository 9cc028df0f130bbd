using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.Api.FieldManagement;

/// <summary>The four ways a field path steps into a value, in structured-merge-diff's sort order.</summary>
public enum PathElementKind { Field, Key, Value, Index }

/// <summary>
/// One step of a field path: a field name (<c>f:name</c>), the key fields of a map-list item
/// (<c>k:{"name":"c"}</c>, fields sorted by name), the value of a set-list item (<c>v:"x"</c>), or the index
/// of an atomic-list item (<c>i:0</c>). Ordered and serialized as structured-merge-diff does. Immutable.
/// </summary>
public readonly struct PathElement : IEquatable<PathElement>, IComparable<PathElement>
{
    private readonly string? _name;
    private readonly KeyValuePair<string, JsonNode?>[]? _key;
    private readonly JsonNode? _value;
    private readonly int _index;

    private PathElement(PathElementKind kind, string? name, KeyValuePair<string, JsonNode?>[]? key, JsonNode? value, int index)
    {
        Kind = kind;
        _name = name;
        _key = key;
        _value = value;
        _index = index;
    }

    public PathElementKind Kind { get; }
    public string FieldName => _name ?? "";
    public IReadOnlyList<KeyValuePair<string, JsonNode?>> Key => _key ?? [];
    public JsonNode? Value => _value;
    public int Index => _index;

    public static PathElement Field(string name) => new(PathElementKind.Field, name, null, null, 0);

    /// <summary>A map-list key; the fields are sorted by name, and the values copied.</summary>
    public static PathElement ForKey(IEnumerable<KeyValuePair<string, JsonNode?>> fields) =>
        new(PathElementKind.Key, null,
            fields.Select(f => KeyValuePair.Create(f.Key, f.Value?.DeepClone())).OrderBy(f => f.Key, StringComparer.Ordinal).ToArray(),
            null, 0);

    public static PathElement ForValue(JsonNode? value) => new(PathElementKind.Value, null, null, value?.DeepClone(), 0);

    public static PathElement ForIndex(int index) => new(PathElementKind.Index, null, null, null, index);

    public int CompareTo(PathElement other)
    {
        if (Kind != other.Kind) return Kind.CompareTo(other.Kind);
        switch (Kind)
        {
            case PathElementKind.Field: return string.CompareOrdinal(_name, other._name);
            case PathElementKind.Key:
            {
                var (a, b) = (Key, other.Key);
                for (var i = 0; i < Math.Min(a.Count, b.Count); i++)
                {
                    var c = string.CompareOrdinal(a[i].Key, b[i].Key);
                    if (c == 0) c = JsonValues.Compare(a[i].Value, b[i].Value);
                    if (c != 0) return c;
                }
                return a.Count.CompareTo(b.Count);
            }
            case PathElementKind.Value: return JsonValues.Compare(_value, other._value);
            default: return _index.CompareTo(other._index);
        }
    }

    public bool Equals(PathElement other) => CompareTo(other) == 0;
    public override bool Equals(object? obj) => obj is PathElement other && Equals(other);

    public override int GetHashCode() => Kind switch
    {
        PathElementKind.Field => HashCode.Combine(Kind, _name),
        PathElementKind.Index => HashCode.Combine(Kind, _index),
        PathElementKind.Value => HashCode.Combine(Kind, JsonValues.Hash(_value)),
        _ => Key.Aggregate((int)Kind, (h, k) => HashCode.Combine(h, k.Key, JsonValues.Hash(k.Value))),
    };

    /// <summary>The FieldsV1 key: <c>f:</c>, <c>k:</c>, <c>v:</c> or <c>i:</c> and the content.</summary>
    public string Serialize()
    {
        var sb = new StringBuilder();
        switch (Kind)
        {
            case PathElementKind.Field: sb.Append("f:").Append(_name); break;
            case PathElementKind.Key:
                sb.Append("k:{");
                for (var i = 0; i < Key.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    JsonValues.WriteString(sb, Key[i].Key);
                    sb.Append(':');
                    JsonValues.Write(sb, Key[i].Value);
                }
                sb.Append('}');
                break;
            case PathElementKind.Value: sb.Append("v:"); JsonValues.Write(sb, _value); break;
            default: sb.Append("i:").Append(_index.ToString(CultureInfo.InvariantCulture)); break;
        }
        return sb.ToString();
    }

    /// <summary>Parses a FieldsV1 key. Returns false for a prefix this version does not know (upstream
    /// drops those silently); throws <see cref="FormatException"/> for a malformed one.</summary>
    public static bool TryParse(string text, out PathElement element)
    {
        element = default;
        if (text.Length < 2) throw new FormatException("key must be 2 characters long");
        if (text[1] != ':') throw new FormatException($"missing colon: {text}");
        var rest = text[2..];
        switch (text[0])
        {
            case 'f': element = Field(rest); return true;
            case 'v': element = ForValue(ParseJson(rest)); return true;
            case 'k':
                if (ParseJson(rest) is not JsonObject key) throw new FormatException($"key is not an object: {text}");
                element = ForKey(key.Select(p => KeyValuePair.Create(p.Key, p.Value)));
                return true;
            case 'i':
                element = ForIndex(int.Parse(rest, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
                return true;
            default: return false;
        }
    }

    private static JsonNode? ParseJson(string text)
    {
        try { return JsonNode.Parse(text); }
        catch (JsonException e) { throw new FormatException(e.Message, e); }
    }

    /// <summary>The human form upstream prints in conflicts: <c>.name</c>, <c>[name="c"]</c>, <c>[="x"]</c>, <c>[0]</c>.</summary>
    public override string ToString() => Kind switch
    {
        PathElementKind.Field => "." + _name,
        PathElementKind.Key => "[" + string.Join(",", Key.Select(k => k.Key + "=" + JsonValues.Display(k.Value))) + "]",
        PathElementKind.Value => "[=" + JsonValues.Display(_value) + "]",
        _ => "[" + _index.ToString(CultureInfo.InvariantCulture) + "]",
    };
}

/// <summary>A field path: the steps from the object's root to one field or list item. Immutable.</summary>
public sealed class FieldPath(IReadOnlyList<PathElement> elements) : IEquatable<FieldPath>
{
    public IReadOnlyList<PathElement> Elements { get; } = elements;

    /// <summary>A path of plain field names, e.g. <c>FieldPath.Of("spec", "replicas")</c>.</summary>
    public static FieldPath Of(params string[] fields) => new(fields.Select(PathElement.Field).ToArray());

    public bool Equals(FieldPath? other) => other is not null && Elements.SequenceEqual(other.Elements);
    public override bool Equals(object? obj) => Equals(obj as FieldPath);
    public override int GetHashCode() => Elements.Aggregate(0, (h, e) => HashCode.Combine(h, e));

    /// <summary>As upstream prints it, e.g. <c>.spec.template.spec.containers[name="app"].image</c>.</summary>
    public override string ToString() => string.Concat(Elements.Select(e => e.ToString()));
}
