using System.Globalization;

namespace Skiff.Agent.Volumes;

/// <summary>
/// Reads a resource quantity ("250m", "1Gi", "1.5", "2e3") as a number, enough for the downward API and
/// emptyDir size limits. Stateless.
/// </summary>
public static class QuantityValue
{
    private static readonly (string Suffix, decimal Factor)[] Suffixes =
    [
        ("Ki", 1024m), ("Mi", 1024m * 1024), ("Gi", 1024m * 1024 * 1024), ("Ti", 1024m * 1024 * 1024 * 1024),
        ("Pi", 1024m * 1024 * 1024 * 1024 * 1024), ("Ei", 1024m * 1024 * 1024 * 1024 * 1024 * 1024),
        ("n", 0.000000001m), ("u", 0.000001m), ("m", 0.001m), ("k", 1000m), ("M", 1000_000m), ("G", 1000_000_000m),
        ("T", 1000_000_000_000m), ("P", 1000_000_000_000_000m), ("E", 1000_000_000_000_000_000m),
    ];

    public static bool TryParse(string? text, out decimal value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim();
        var factor = 1m;
        foreach (var (suffix, f) in Suffixes)
        {
            if (s.EndsWith(suffix, StringComparison.Ordinal) && s.Length > suffix.Length)
            {
                factor = f;
                s = s[..^suffix.Length];
                break;
            }
        }
        if (!decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)) return false;
        value = number * factor;
        return true;
    }

    public static decimal Parse(string text) =>
        TryParse(text, out var v) ? v : throw new FormatException($"quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': {text}");
}
