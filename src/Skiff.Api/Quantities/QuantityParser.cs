using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Skiff.Api.Models;

namespace Skiff.Api.Quantities;

/// <summary>
/// Reads Kubernetes resource quantities ("100m", "64Mi", "1G", "1e3", "0.5") as numbers, with upstream's
/// grammar: an optional sign, a decimal number, then a binary suffix (Ki Mi Gi Ti Pi Ei), a decimal
/// suffix (n u m "" k M G T P E) or a decimal exponent (e3, E-2). Values are exact up to 28 significant
/// digits (<see cref="decimal"/>), which covers every quantity the API accepts in practice.
/// <see cref="MilliValue"/> and <see cref="Value"/> round up as upstream's MilliValue/Value do, so
/// "1n" of cpu is 1 millicore and "1.5" bytes is 2. Stateless; thread-safe.
/// </summary>
public static class QuantityParser
{
    /// <summary>Parses <paramref name="text"/>; false when it is not a quantity.</summary>
    public static bool TryParse(string? text, out decimal value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text)) return false;
        var s = text.AsSpan().Trim();
        if (s.Length == 0) return false;

        var i = 0;
        var negative = false;
        if (s[0] is '+' or '-') { negative = s[0] == '-'; i++; }
        var numberStart = i;
        var digits = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i])) { i++; digits++; }
        if (i < s.Length && s[i] == '.')
        {
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i])) { i++; digits++; }
        }
        if (digits == 0) return false;
        if (!decimal.TryParse(s[numberStart..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)) return false;

        var suffix = s[i..];
        if (!TryScale(suffix, number, out value)) return false;
        if (negative) value = -value;
        return true;
    }

    /// <summary>Parses <paramref name="text"/> or throws <see cref="FormatException"/> with upstream's wording.</summary>
    public static decimal Parse(string? text) =>
        TryParse(text, out var v) ? v : throw new FormatException($"quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': \"{text}\"");

    /// <summary>The quantity in thousandths, rounded up (cpu "100m" → 100, "1" → 1000). Invalid text is 0.</summary>
    public static long MilliValue(string? text) => TryParse(text, out var v) ? CeilingToLong(v * 1000m) : 0;

    /// <summary>The quantity as a whole number, rounded up (memory "64Mi" → 67108864). Invalid text is 0.</summary>
    public static long Value(string? text) => TryParse(text, out var v) ? CeilingToLong(v) : 0;

    public static long MilliValue(Quantity q) => MilliValue(q.Value);
    public static long Value(Quantity q) => Value(q.Value);

    private static bool TryScale(ReadOnlySpan<char> suffix, decimal number, out decimal value)
    {
        value = 0;
        try
        {
            switch (suffix)
            {
                case "": value = number; return true;
                case "n": value = number / 1_000_000_000m; return true;
                case "u": value = number / 1_000_000m; return true;
                case "m": value = number / 1000m; return true;
                case "k": value = number * 1000m; return true;
                case "M": value = number * 1_000_000m; return true;
                case "G": value = number * 1_000_000_000m; return true;
                case "T": value = number * 1_000_000_000_000m; return true;
                case "P": value = number * 1_000_000_000_000_000m; return true;
                case "E": value = number * 1_000_000_000_000_000_000m; return true;
                case "Ki": value = number * (1L << 10); return true;
                case "Mi": value = number * (1L << 20); return true;
                case "Gi": value = number * (1L << 30); return true;
                case "Ti": value = number * (1L << 40); return true;
                case "Pi": value = number * (1L << 50); return true;
                case "Ei": value = number * (1L << 60); return true;
            }
            if (suffix[0] is not ('e' or 'E') || suffix.Length < 2) return false;
            if (!int.TryParse(suffix[1..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exponent)) return false;
            if (exponent is < -28 or > 28) return false;
            value = exponent >= 0 ? number * Pow10(exponent) : number / Pow10(-exponent);
            return true;
        }
        catch (OverflowException) { return false; }
    }

    private static decimal Pow10(int n)
    {
        var p = 1m;
        for (var k = 0; k < n; k++) p *= 10m;
        return p;
    }

    private static long CeilingToLong(decimal v)
    {
        var c = decimal.Ceiling(v);
        if (c >= long.MaxValue) return long.MaxValue;
        if (c <= long.MinValue) return long.MinValue;
        return (long)c;
    }

    /// <summary>True when <paramref name="text"/> is a valid quantity (for validation).</summary>
    public static bool IsValid([NotNullWhen(true)] string? text) => TryParse(text, out _);
}
