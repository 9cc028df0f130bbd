using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Skiff.Api.Validation.Kinds;

/// <summary>Small reusable checks with upstream's messages, over the wire JSON. Stateless.</summary>
internal static partial class FieldChecks
{
    public static string? Str(JsonNode? n, string key) => n?[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static long? Int(JsonNode? n, string key) => n?[key] is JsonValue v ? AsLong(v) : null;

    /// <summary>A whole number, whether the value was parsed (a JsonElement) or built in memory (int, long, double).</summary>
    public static long? AsLong(JsonValue v)
    {
        if (v.TryGetValue<long>(out var l)) return l;
        if (v.TryGetValue<int>(out var i)) return i;
        if (v.TryGetValue<double>(out var d) && d == Math.Floor(d)) return (long)d;
        return null;
    }

    public static IEnumerable<(JsonObject Item, int Index)> Items(JsonNode? n, string key) =>
        n?[key] is JsonArray a ? a.Select((x, i) => (x as JsonObject, i)).Where(t => t.Item1 is not null).Select(t => (t.Item1!, t.i)) : [];

    public static string Supported(params string[] values) => "supported values: " + string.Join(", ", values.Select(v => $"\"{v}\""));

    public static void OneOf(List<FieldError> errors, string path, string? value, params string[] allowed)
    {
        if (value is not null && !allowed.Contains(value))
            errors.Add(new FieldError(FieldErrorType.NotSupported, path, value, Supported(allowed)));
    }

    public static void NonNegative(List<FieldError> errors, JsonNode? n, string key, string path)
    {
        if (Int(n, key) is < 0 and var v)
            errors.Add(new FieldError(FieldErrorType.Invalid, path, v, "must be greater than or equal to 0"));
    }

    public static void Dns1123Label(List<FieldError> errors, string path, string value)
    {
        foreach (var m in NameFormats.IsDns1123Label(value)) errors.Add(new FieldError(FieldErrorType.Invalid, path, value, m));
    }

    public static bool IsPortNumber(long p) => p is >= 1 and <= 65535;

    public const string PortRange = "must be between 1 and 65535, inclusive";

    /// <summary>An IANA service name (a named port): at most 15 characters, lowercase letters, digits and '-', at least one letter, no leading/trailing or double '-'.</summary>
    public static List<string> IsValidPortName(string name)
    {
        var errs = new List<string>();
        if (name.Length > 15) errs.Add("must be no more than 15 characters");
        if (!PortNameChars().IsMatch(name)) errs.Add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        if (name.Contains("--")) errs.Add("must not contain consecutive hyphens");
        if (!name.Any(char.IsAsciiLetterLower)) errs.Add("must contain at least one letter (a-z)");
        if (name.StartsWith('-') || name.EndsWith('-')) errs.Add("must not begin or end with a hyphen");
        return errs;
    }

    [GeneratedRegex("^[-a-z0-9]+$")]
    private static partial Regex PortNameChars();

    [GeneratedRegex("^[-._a-zA-Z][-._a-zA-Z0-9]*$")]
    public static partial Regex EnvVarName();

    [GeneratedRegex("^[-._a-zA-Z0-9]+$")]
    public static partial Regex ConfigKey();
}
