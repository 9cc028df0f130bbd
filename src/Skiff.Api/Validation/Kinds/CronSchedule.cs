namespace Skiff.Api.Validation.Kinds;

/// <summary>
/// Checks a CronJob schedule the way upstream's parser (robfig/cron, standard 5 fields) accepts
/// it: the @every/@hourly/... descriptors, or minute hour day-of-month month day-of-week, each a
/// list of *, ?, values, ranges and steps (month and weekday also by name). Returns null when
/// valid, else upstream-like text. The controller that runs schedules will reuse it.
/// </summary>
public static class CronSchedule
{
    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    private static readonly string[] Days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    private static readonly (int Min, int Max, string[]? Names)[] Fields = [(0, 59, null), (0, 23, null), (1, 31, null), (1, 12, Months), (0, 6, Days)];

    public static string? Check(string spec)
    {
        var s = spec.Trim();
        if (s.StartsWith("TZ=", StringComparison.Ordinal) || s.StartsWith("CRON_TZ=", StringComparison.Ordinal))
        {
            var space = s.IndexOf(' ');
            if (space < 0) return $"provided bad location {s}";
            s = s[(space + 1)..].Trim();
        }
        if (s.StartsWith('@'))
        {
            return s switch
            {
                "@yearly" or "@annually" or "@monthly" or "@weekly" or "@daily" or "@midnight" or "@hourly" => null,
                _ when s.StartsWith("@every ", StringComparison.Ordinal) => null,
                _ => $"unrecognized descriptor: {s}",
            };
        }
        var fields = s.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5) return $"expected exactly 5 fields, found {fields.Length}: {spec}";
        for (var i = 0; i < 5; i++)
            if (CheckField(fields[i], Fields[i]) is { } problem) return problem;
        return null;
    }

    private static string? CheckField(string field, (int Min, int Max, string[]? Names) range)
    {
        foreach (var part in field.Split(','))
        {
            var expr = part;
            var slash = expr.IndexOf('/');
            if (slash >= 0)
            {
                if (!int.TryParse(expr[(slash + 1)..], out var step) || step <= 0) return $"failed to parse int from {expr[(slash + 1)..]}";
                expr = expr[..slash];
            }
            if (expr is "*" or "?") continue;
            var bounds = expr.Split('-');
            if (bounds.Length > 2) return $"too many hyphens: {part}";
            foreach (var b in bounds)
            {
                int v;
                if (range.Names is { } names && Array.IndexOf(names, b.ToLowerInvariant()) is var idx and >= 0) v = idx + range.Min;
                else if (!int.TryParse(b, out v)) return $"failed to parse int from {b}";
                if (v < range.Min) return $"beginning of range ({v}) below minimum ({range.Min}): {part}";
                if (v > range.Max) return $"end of range ({v}) above maximum ({range.Max}): {part}";
            }
        }
        return null;
    }
}
