namespace Skiff.ApiServer.Tables;

/// <summary>
/// Upstream's duration.HumanDuration: two or three significant figures ("5s", "3m2s", "15m", "4h5m",
/// "23h", "2d5h", "300d", "3y45d", "9y"), and "&lt;invalid&gt;" for clearly negative durations.
/// </summary>
/// <remarks>Pure function; thread-safe.</remarks>
public static class HumanDuration
{
    public static string Format(TimeSpan d)
    {
        // Whole seconds truncated toward zero, as Go's int(d.Seconds()); up to a second of clock skew
        // between machines reads as "now".
        var seconds = (long)d.TotalSeconds;
        if (seconds < -1) return "<invalid>";
        if (seconds < 0) return "0s";
        if (seconds < 60 * 2) return $"{seconds}s";

        var minutes = d.Ticks / TimeSpan.TicksPerMinute;
        if (minutes < 10)
        {
            var s = d.Ticks / TimeSpan.TicksPerSecond % 60;
            return s == 0 ? $"{minutes}m" : $"{minutes}m{s}s";
        }
        if (minutes < 60 * 3) return $"{minutes}m";

        var hours = d.Ticks / TimeSpan.TicksPerHour;
        if (hours < 8)
        {
            var m = minutes % 60;
            return m == 0 ? $"{hours}h" : $"{hours}h{m}m";
        }
        if (hours < 48) return $"{hours}h";
        if (hours < 24 * 8)
        {
            var h = hours % 24;
            return h == 0 ? $"{hours / 24}d" : $"{hours / 24}d{h}h";
        }
        if (hours < 24 * 365 * 2) return $"{hours / 24}d";
        if (hours < 24 * 365 * 8)
        {
            var dy = hours / 24 % 365;
            return dy == 0 ? $"{hours / 24 / 365}y" : $"{hours / 24 / 365}y{dy}d";
        }
        return $"{hours / 24 / 365}y";
    }

    /// <summary>Age of a timestamp as upstream prints it: "&lt;unknown&gt;" when the timestamp is missing.</summary>
    public static string Since(DateTimeOffset? timestamp, DateTimeOffset now) =>
        timestamp is { } t ? Format(now - t) : "<unknown>";
}
