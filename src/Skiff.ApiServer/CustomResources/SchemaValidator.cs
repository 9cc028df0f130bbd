using System.Globalization;
using System.Text.Json.Nodes;
using Skiff.Api.Validation;

namespace Skiff.ApiServer.CustomResources;

/// <summary>
/// Validates a custom object against its version's openAPIV3Schema, with the field paths and messages
/// upstream's OpenAPI validator produces once apiextensions has turned them into field errors:
/// <c>spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"</c>,
/// <c>spec.x: Required value</c>, <c>spec.color: Unsupported value: "pink": supported values: "red", "blue"</c>.
/// Stateless and thread-safe.
/// </summary>
public static class SchemaValidator
{
    private static readonly HashSet<string> RootMachinery = ["apiVersion", "kind", "metadata"];

    /// <summary>Every violation in <paramref name="obj"/>; apiVersion, kind and metadata at the root are
    /// checked by the API machinery, not here.</summary>
    public static List<FieldError> Validate(JsonObject obj, CrdSchema root)
    {
        var errors = new List<FieldError>();
        Node(obj, root, "", errors, isRoot: true);
        return errors;
    }

    private static void Node(JsonNode? value, CrdSchema s, string path, List<FieldError> errors, bool isRoot = false)
    {
        if (value is null)
        {
            if (s.Nullable || (s.Type is null && !s.IntOrString)) return;
            errors.Add(TypeError(path, s, "null"));
            return;
        }
        if (!TypeMatches(value, s, out var actual))
        {
            errors.Add(TypeError(path, s, actual));
            return;
        }

        if (s.Enum is { } options && !options.Any(o => JsonNode.DeepEquals(o, value)))
            errors.Add(new(FieldErrorType.NotSupported, path, BadValue(value),
                "supported values: " + string.Join(", ", options.Select(o => Quote(o is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : o?.ToJsonString() ?? "null")))));

        switch (value)
        {
            case JsonValue v when CrdSchema.TryNumber(v, out var number):
                Number(number, s, path, errors);
                break;
            case JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String:
                Text(v.GetValue<string>(), s, path, errors);
                break;
            case JsonArray a:
                Array(a, s, path, errors);
                break;
            case JsonObject o:
                Object(o, s, path, errors, isRoot);
                break;
        }

        foreach (var all in s.AllOf) Node(value, all, path, errors, isRoot);
        if (s.AnyOf.Count > 0 && !s.AnyOf.Any(x => Passes(value, x, path, isRoot)))
            errors.Add(new(FieldErrorType.Invalid, path, "", $"{Name(path)} in body must validate at least one schema (anyOf)"));
        if (s.OneOf.Count > 0 && s.OneOf.Count(x => Passes(value, x, path, isRoot)) != 1)
            errors.Add(new(FieldErrorType.Invalid, path, "", $"{Name(path)} in body must validate one and only one schema (oneOf)"));
        if (s.Not is { } not && Passes(value, not, path, isRoot))
            errors.Add(new(FieldErrorType.Invalid, path, "", $"{Name(path)} in body must not validate the schema (not)"));
    }

    private static bool Passes(JsonNode value, CrdSchema s, string path, bool isRoot)
    {
        var errors = new List<FieldError>();
        Node(value, s, path, errors, isRoot);
        return errors.Count == 0;
    }

    private static bool TypeMatches(JsonNode value, CrdSchema s, out string actual)
    {
        actual = CrdSchema.TypeOf(value);
        if (s.IntOrString) return actual is "integer" or "string";
        return s.Type switch
        {
            null or "" => true,
            "number" => actual is "number" or "integer",
            var t => t == actual,
        };
    }

    private static FieldError TypeError(string path, CrdSchema s, string actual)
    {
        var expected = s.IntOrString ? "integer,string" : s.Type;
        return new(FieldErrorType.TypeInvalid, path, actual, $"{Name(path)} in body must be of type {expected}: {Quote(actual)}");
    }

    private static void Number(double n, CrdSchema s, string path, List<FieldError> errors)
    {
        var shown = BadNumber(n);
        if (s.Minimum is { } min && (s.ExclusiveMinimum ? n <= min : n < min))
            errors.Add(new(FieldErrorType.Invalid, path, shown,
                $"{Name(path)} in body should be greater than {(s.ExclusiveMinimum ? "" : "or equal to ")}{CrdSchema.FormatNumber(min)}"));
        if (s.Maximum is { } max && (s.ExclusiveMaximum ? n >= max : n > max))
            errors.Add(new(FieldErrorType.Invalid, path, shown,
                $"{Name(path)} in body should be less than {(s.ExclusiveMaximum ? "" : "or equal to ")}{CrdSchema.FormatNumber(max)}"));
        if (s.MultipleOf is { } m && m > 0 && Math.Abs(Math.IEEERemainder(n, m)) > 1e-9)
            errors.Add(new(FieldErrorType.Invalid, path, shown, $"{Name(path)} in body should be a multiple of {CrdSchema.FormatNumber(m)}"));
    }

    private static void Text(string text, CrdSchema s, string path, List<FieldError> errors)
    {
        var length = new StringInfo(text).LengthInTextElements;
        if (s.MinLength is { } minLength && length < minLength)
            errors.Add(new(FieldErrorType.Invalid, path, text, $"{Name(path)} in body should be at least {minLength} chars long"));
        if (s.MaxLength is { } maxLength && length > maxLength)
            errors.Add(new(FieldErrorType.TooLong, path, null, $"may not be more than {maxLength} {(maxLength == 1 ? "byte" : "bytes")}"));
        if (s.Pattern is { } pattern)
        {
            bool matches;
            try { matches = pattern.IsMatch(text); }
            catch (System.Text.RegularExpressions.RegexMatchTimeoutException) { matches = false; }
            if (!matches) errors.Add(new(FieldErrorType.Invalid, path, text, $"{Name(path)} in body should match '{s.PatternText}'"));
        }
    }

    private static void Array(JsonArray a, CrdSchema s, string path, List<FieldError> errors)
    {
        if (s.MinItems is { } minItems && a.Count < minItems)
            errors.Add(new(FieldErrorType.Invalid, path, (long)a.Count, $"{Name(path)} in body should have at least {minItems} items"));
        if (s.MaxItems is { } maxItems && a.Count > maxItems)
            errors.Add(new(FieldErrorType.TooMany, path, (long)a.Count, $"must have at most {maxItems} items"));
        if (s.UniqueItems && HasDuplicates(a))
            errors.Add(new(FieldErrorType.Invalid, path, "", $"{Name(path)} in body shouldn't contain duplicates"));
        if (s.Items is { } items)
            for (var i = 0; i < a.Count; i++) Node(a[i], items, $"{path}[{i}]", errors);
        ListType(a, s, path, errors);
    }

    /// <summary>x-kubernetes-list-type set (items unique) and map (items unique by their map keys).</summary>
    private static void ListType(JsonArray a, CrdSchema s, string path, List<FieldError> errors)
    {
        if (s.ListType == "set")
        {
            for (var i = 0; i < a.Count; i++)
                for (var j = 0; j < i; j++)
                    if (JsonNode.DeepEquals(a[i], a[j]))
                    {
                        errors.Add(new(FieldErrorType.Duplicate, $"{path}[{i}]", BadValue(a[i]), ""));
                        break;
                    }
        }
        else if (s.ListType == "map" && s.ListMapKeys.Count > 0)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < a.Count; i++)
            {
                if (a[i] is not JsonObject item) continue;
                var key = string.Join("\u0000", s.ListMapKeys.Select(k => item[k]?.ToJsonString() ?? "null"));
                if (!seen.Add(key))
                {
                    var keys = string.Join(", ", s.ListMapKeys.Where(item.ContainsKey).Select(k => $"\"{k}\":{item[k]?.ToJsonString() ?? "null"}"));
                    errors.Add(new(FieldErrorType.Duplicate, $"{path}[{i}]", new LiteralValue($"map[string]interface {{}}{{{keys}}}"), ""));
                }
            }
        }
    }

    private static void Object(JsonObject o, CrdSchema s, string path, List<FieldError> errors, bool isRoot)
    {
        if (s.MinProperties is { } minProps && o.Count < minProps)
            errors.Add(new(FieldErrorType.Invalid, path, (long)o.Count, $"{Name(path)} in body should have at least {minProps} properties"));
        if (s.MaxProperties is { } maxProps && o.Count > maxProps)
            errors.Add(new(FieldErrorType.TooMany, path, (long)o.Count, $"must have at most {maxProps} items"));
        foreach (var required in s.Required)
            if (!o.ContainsKey(required)) errors.Add(new(FieldErrorType.Required, Join(path, required), null, ""));
        if (s.EmbeddedResource)
        {
            if (o["kind"] is not JsonValue k || k.GetValueKind() != System.Text.Json.JsonValueKind.String || k.GetValue<string>().Length == 0)
                errors.Add(new(FieldErrorType.Required, Join(path, "kind"), null, "must not be empty"));
            if (o["apiVersion"] is not JsonValue v || v.GetValueKind() != System.Text.Json.JsonValueKind.String || v.GetValue<string>().Length == 0)
                errors.Add(new(FieldErrorType.Required, Join(path, "apiVersion"), null, "must not be empty"));
        }
        foreach (var (key, child) in o)
        {
            if (isRoot && RootMachinery.Contains(key)) continue;
            if (s.Property(key) is { } ps) Node(child, ps, Join(path, key), errors);
            else if (s.AdditionalProperties is { } ap) Node(child, ap, Join(path, key), errors);
        }
    }

    private static bool HasDuplicates(JsonArray a)
    {
        for (var i = 0; i < a.Count; i++)
            for (var j = 0; j < i; j++)
                if (JsonNode.DeepEquals(a[i], a[j])) return true;
        return false;
    }

    private static string Join(string path, string field) => path.Length == 0 ? field : $"{path}.{field}";

    /// <summary>The validator names the root "" and everything else by its path.</summary>
    private static string Name(string path) => path;

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private static object BadNumber(double n) =>
        Math.Floor(n) == n && Math.Abs(n) < 9.2e18 ? (long)n : n;

    /// <summary>A value as the field error prints it: strings quoted, numbers and booleans bare, the rest as JSON.</summary>
    private static object BadValue(JsonNode? value) => value switch
    {
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when CrdSchema.TryNumber(v, out var d) => BadNumber(d),
        JsonValue v when v.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => v.GetValue<bool>(),
        null => new LiteralValue("null"),
        _ => new LiteralValue(value.ToJsonString()),
    };
}
