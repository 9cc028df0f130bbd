using System.Globalization;

namespace Skiff.Agent.Kubelet;

/// <summary>
/// Go's time.Duration: <see cref="Format"/> as upstream's messages print durations (millisecond precision) and
/// <see cref="Parse"/> as upstream's flags read them (time.ParseDuration). Stateless.
/// </summary>
public static class GoDuration
{
    /// <summary>0s, 313ms, 1.5s, 1m0s, 1h2m3.456s (truncated to milliseconds, as upstream's pull messages are).</summary>
    public static string Format(TimeSpan d)
    {
        var ms = (long)d.TotalMilliseconds;
        if (ms == 0) return "0s";
        var sign = ms < 0 ? "-" : "";
        ms = Math.Abs(ms);
        if (ms < 1000) return $"{sign}{ms}ms";
        var hours = ms / 3_600_000;
        var minutes = ms / 60_000 % 60;
        var seconds = ms % 60_000 / 1000m;
        var s = seconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
        return hours > 0 ? $"{sign}{hours}h{minutes}m{s}" : minutes > 0 ? $"{sign}{minutes}m{s}" : sign + s;
    }

    private static readonly (string Unit, double Ticks)[] Units =
    [
        ("ns", 0.01), ("us", 10), ("\u00b5s", 10), ("\u03bcs", 10), ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour),
    ];

    /// <summary>"300ms", "1.5h", "2h45m", "5m0s", "-1s", "0": a sequence of decimal numbers, each with a unit.</summary>
    /// <exception cref="FormatException">Not a duration; the message quotes it as Go's does.</exception>
    public static TimeSpan Parse(string text)
    {
        var s = text;
        var negative = s.StartsWith('-');
        if (negative || s.StartsWith('+')) s = s[1..];
        if (s == "0") return TimeSpan.Zero;
        if (s.Length == 0) throw Invalid(text);
        double ticks = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            if (i == start || !double.TryParse(s[start..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
                throw Invalid(text);
            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.') i++;
            var unit = s[unitStart..i];
            if (unit.Length == 0) throw new FormatException($"time: missing unit in duration \"{text}\"");
            var factor = Array.Find(Units, u => u.Unit == unit).Ticks;
            if (factor == 0) throw new FormatException($"time: unknown unit \"{unit}\" in duration \"{text}\"");
            ticks += number * factor;
        }
        if (ticks > TimeSpan.MaxValue.Ticks) throw Invalid(text);
        var d = TimeSpan.FromTicks((long)ticks);
        return negative ? -d : d;
    }

    private static FormatException Invalid(string text) => new($"time: invalid duration \"{text}\"");
}
