using System.Globalization;

namespace Skiff.Agent.Kubelet;

/// <summary>Go's time.Duration.String for durations at millisecond precision, as upstream's messages print them. Stateless.</summary>
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
}
