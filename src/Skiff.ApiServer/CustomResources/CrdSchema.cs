using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Skiff.ApiServer.CustomResources;

/// <summary>
/// One node of a CRD's openAPIV3Schema (apiextensions JSONSchemaProps), parsed once from the CRD's
/// JSON into what the validator, pruner and defaulter need. Immutable; shared by every request.
/// </summary>
public sealed class CrdSchema
{
    private static readonly IReadOnlyDictionary<string, CrdSchema> NoProperties = new Dictionary<string, CrdSchema>();

    public string? Type { get; private init; }
    public string? Format { get; private init; }
    public bool Nullable { get; private init; }
    public IReadOnlyDictionary<string, CrdSchema> Properties { get; private init; } = NoProperties;
    public CrdSchema? Items { get; private init; }
    /// <summary>additionalProperties as a schema (a map's values).</summary>
    public CrdSchema? AdditionalProperties { get; private init; }
    /// <summary>additionalProperties: true (any value allowed, not pruned).</summary>
    public bool AdditionalPropertiesAllowed { get; private init; }
    public IReadOnlyList<string> Required { get; private init; } = [];
    public JsonArray? Enum { get; private init; }
    public double? Minimum { get; private init; }
    public double? Maximum { get; private init; }
    public bool ExclusiveMinimum { get; private init; }
    public bool ExclusiveMaximum { get; private init; }
    public double? MultipleOf { get; private init; }
    public long? MinLength { get; private init; }
    public long? MaxLength { get; private init; }
    public string? PatternText { get; private init; }
    public Regex? Pattern { get; private init; }
    public long? MinItems { get; private init; }
    public long? MaxItems { get; private init; }
    public bool UniqueItems { get; private init; }
    public long? MinProperties { get; private init; }
    public long? MaxProperties { get; private init; }
    public JsonNode? Default { get; private init; }
    public bool PreserveUnknownFields { get; private init; }
    public bool EmbeddedResource { get; private init; }
    public bool IntOrString { get; private init; }
    public string? ListType { get; private init; }
    public IReadOnlyList<string> ListMapKeys { get; private init; } = [];
    public string? MapType { get; private init; }
    public IReadOnlyList<CrdSchema> AllOf { get; private init; } = [];
    public IReadOnlyList<CrdSchema> AnyOf { get; private init; } = [];
    public IReadOnlyList<CrdSchema> OneOf { get; private init; } = [];
    public CrdSchema? Not { get; private init; }

    /// <summary>The node's JSON as written in the CRD.</summary>
    public JsonObject Json { get; private init; } = new();

    /// <summary>Parses a JSONSchemaProps object. Malformed parts (a pattern that is not a regex) are
    /// left out here; <see cref="CrdValidation"/> reports them before a CRD is ever accepted.</summary>
    public static CrdSchema Parse(JsonObject json)
    {
        Regex? pattern = null;
        var patternText = Str(json, "pattern");
        if (patternText is not null)
        {
            try { pattern = new Regex(patternText, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)); }
            catch (ArgumentException) { }
        }
        var additional = json["additionalProperties"];
        return new CrdSchema
        {
            Json = json,
            Type = Str(json, "type"),
            Format = Str(json, "format"),
            Nullable = Bool(json, "nullable"),
            Properties = json["properties"] is JsonObject props
                ? props.Where(p => p.Value is JsonObject).ToDictionary(p => p.Key, p => Parse((JsonObject)p.Value!), StringComparer.Ordinal)
                : NoProperties,
            Items = json["items"] is JsonObject items ? Parse(items) : null,
            AdditionalProperties = additional is JsonObject ap ? Parse(ap) : null,
            AdditionalPropertiesAllowed = additional is JsonValue av && av.TryGetValue<bool>(out var allowed) && allowed,
            Required = json["required"] is JsonArray req ? req.Select(r => r?.GetValue<string>() ?? "").ToList() : [],
            Enum = json["enum"] as JsonArray,
            Minimum = Num(json, "minimum"),
            Maximum = Num(json, "maximum"),
            ExclusiveMinimum = Bool(json, "exclusiveMinimum"),
            ExclusiveMaximum = Bool(json, "exclusiveMaximum"),
            MultipleOf = Num(json, "multipleOf"),
            MinLength = Long(json, "minLength"),
            MaxLength = Long(json, "maxLength"),
            PatternText = patternText,
            Pattern = pattern,
            MinItems = Long(json, "minItems"),
            MaxItems = Long(json, "maxItems"),
            UniqueItems = Bool(json, "uniqueItems"),
            MinProperties = Long(json, "minProperties"),
            MaxProperties = Long(json, "maxProperties"),
            Default = json["default"],
            PreserveUnknownFields = Bool(json, "x-kubernetes-preserve-unknown-fields"),
            EmbeddedResource = Bool(json, "x-kubernetes-embedded-resource"),
            IntOrString = Bool(json, "x-kubernetes-int-or-string"),
            ListType = Str(json, "x-kubernetes-list-type"),
            ListMapKeys = json["x-kubernetes-list-map-keys"] is JsonArray keys ? keys.Select(k => k?.GetValue<string>() ?? "").ToList() : [],
            MapType = Str(json, "x-kubernetes-map-type"),
            AllOf = List(json, "allOf"),
            AnyOf = List(json, "anyOf"),
            OneOf = List(json, "oneOf"),
            Not = json["not"] is JsonObject not ? Parse(not) : null,
        };
    }

    /// <summary>The schema of a property, or null when it is not declared.</summary>
    public CrdSchema? Property(string name) => Properties.GetValueOrDefault(name);

    private static IReadOnlyList<CrdSchema> List(JsonObject json, string name) =>
        json[name] is JsonArray a ? a.OfType<JsonObject>().Select(Parse).ToList() : [];

    private static string? Str(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static bool Bool(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    private static double? Num(JsonObject o, string name) => TryNumber(o[name], out var d) ? d : null;

    private static long? Long(JsonObject o, string name) => TryNumber(o[name], out var d) ? (long)d : null;

    /// <summary>The JSON type name of a value as the OpenAPI validator reports it ("string", "integer", "number", ...).</summary>
    public static string TypeOf(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.String => "string",
            System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => "boolean",
            System.Text.Json.JsonValueKind.Number => IsInteger(v) ? "integer" : "number",
            _ => "null",
        },
        _ => "null",
    };

    /// <summary>True for a JSON number without a fractional part (2 and 2.0 are integers, as upstream decodes them).</summary>
    public static bool IsInteger(JsonValue v) =>
        TryNumber(v, out var d) && !double.IsInfinity(d) && Math.Floor(d) == d && Math.Abs(d) < 9.2e18;

    /// <summary>Reads any JSON number, whether parsed or created from a CLR value.</summary>
    public static bool TryNumber(JsonNode? node, out double d)
    {
        d = 0;
        if (node is not JsonValue v || v.GetValueKind() != System.Text.Json.JsonValueKind.Number) return false;
        if (v.TryGetValue(out d)) return true;
        if (v.TryGetValue<long>(out var l)) { d = l; return true; }
        if (v.TryGetValue<int>(out var i)) { d = i; return true; }
        return double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out d);
    }

    /// <summary>A number as Go's %v prints it in validation messages.</summary>
    public static string FormatNumber(double d) => d.ToString("G", CultureInfo.InvariantCulture);
}
