using System.Globalization;
using System.Text;
using Skiff.Api.Json;

namespace Skiff.Api.Protobuf;

/// <summary>The JSON text Go's apimachinery writes for its special protobuf messages.</summary>
internal static class WellKnownFormats
{
    /// <summary>metav1.Time: RFC 3339 in UTC with whole seconds ("2026-01-02T03:04:05Z"); Go drops the nanos.</summary>
    public static string Time(long seconds) =>
        KubernetesTime.FormatTime(DateTimeOffset.FromUnixTimeSeconds(seconds));

    /// <summary>metav1.MicroTime: RFC 3339 in UTC with exactly six fractional digits.</summary>
    public static string MicroTime(long seconds, int nanos)
    {
        return KubernetesTime.FormatMicroTime(DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(nanos / 100));
    }

    /// <summary>Go's time.Duration.String(): "0s", "1.5s", "1m30s", "2h0m0s", "300ms", "1.5µs", "10ns".</summary>
    public static string Duration(long nanoseconds)
    {
        if (nanoseconds == 0) return "0s";
        var negative = nanoseconds < 0;
        var u = negative ? (ulong)(-(nanoseconds + 1)) + 1 : (ulong)nanoseconds;
        var sb = new StringBuilder();
        if (negative) sb.Append('-');
        if (u < 1_000_000_000UL)
        {
            // Below one second Go picks the largest unit that keeps an integer part and prints a fraction.
            if (u < 1_000UL) return sb.Append(u).Append("ns").ToString();
            if (u < 1_000_000UL) return AppendFraction(sb, u, 1_000UL).Append("µs").ToString();
            return AppendFraction(sb, u, 1_000_000UL).Append("ms").ToString();
        }
        var hours = u / 3_600_000_000_000UL;
        u -= hours * 3_600_000_000_000UL;
        var minutes = u / 60_000_000_000UL;
        u -= minutes * 60_000_000_000UL;
        if (hours > 0) sb.Append(hours).Append('h');
        if (hours > 0 || minutes > 0) sb.Append(minutes).Append('m');
        return AppendFraction(sb, u, 1_000_000_000UL).Append('s').ToString();
    }

    private static StringBuilder AppendFraction(StringBuilder sb, ulong value, ulong unit)
    {
        sb.Append(value / unit);
        var fraction = value % unit;
        if (fraction == 0) return sb;
        var digits = unit.ToString(CultureInfo.InvariantCulture).Length - 1;
        var text = fraction.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0');
        return sb.Append('.').Append(text);
    }
}
