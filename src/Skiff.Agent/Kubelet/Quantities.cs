using System.Globalization;
using Skiff.Api.Models;

namespace Skiff.Agent.Kubelet;

/// <summary>
/// Reads resource quantities ("500m", "64Mi", "1.5", "2e3") as decimals, as upstream's
/// resource.Quantity does for the values the kubelet needs (cgroup limits, downward API).
/// Stateless; thread-safe.
/// </summary>
public static class Quantities
{
    private static readonly (string Suffix, decimal Factor)[] Suffixes =
    [
        ("Ki", 1024m), ("Mi", 1024m * 1024), ("Gi", 1024m * 1024 * 1024), ("Ti", 1024m * 1024 * 1024 * 1024),
        ("Pi", 1024m * 1024 * 1024 * 1024 * 1024), ("Ei", 1024m * 1024 * 1024 * 1024 * 1024 * 1024),
        ("n", 0.000000001m), ("u", 0.000001m), ("m", 0.001m), ("k", 1e3m), ("M", 1e6m), ("G", 1e9m), ("T", 1e12m),
        ("P", 1e15m), ("E", 1e18m),
    ];

    public static decimal Parse(string text)
    {
        text = text.Trim();
        if (text.Length == 0) throw new FormatException("empty quantity");
        foreach (var (suffix, factor) in Suffixes)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal) && text.Length > suffix.Length
                && decimal.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                return v * factor;
        }
        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain)) return plain;
        throw new FormatException($"\"{text}\" is not a quantity");
    }

    public static bool TryParse(Quantity? q, out decimal value)
    {
        value = 0;
        if (q?.Value is not { Length: > 0 } s) return false;
        try { value = Parse(s); return true; }
        catch (FormatException) { return false; }
    }

    /// <summary>The quantity named <paramref name="resource"/> in <paramref name="list"/>, if present and valid.</summary>
    public static decimal? Get(IReadOnlyDictionary<string, Quantity>? list, string resource) =>
        list is not null && list.TryGetValue(resource, out var q) && TryParse(q, out var v) ? v : null;
}
