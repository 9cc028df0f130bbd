using System.Globalization;

namespace Skiff.Agent.Logs;

/// <summary>
/// upstream's PodLogOptions as the kubelet's /containerLogs reads them from the query string: follow,
/// previous, timestamps, tailLines, sinceSeconds or sinceTime, limitBytes.
/// </summary>
public sealed record LogOptions
{
    public bool Follow { get; init; }
    public bool Previous { get; init; }
    public bool Timestamps { get; init; }
    public long? TailLines { get; init; }
    public long? LimitBytes { get; init; }
    public long? SinceSeconds { get; init; }
    public DateTimeOffset? SinceTime { get; init; }

    /// <summary>The earliest entry to show, from <see cref="SinceSeconds"/> or <see cref="SinceTime"/>.</summary>
    public DateTimeOffset? Since(DateTimeOffset now) => SinceTime ?? (SinceSeconds is { } s ? now.AddSeconds(-s) : null);

    /// <summary>Parses and validates as upstream does; the error is the message of a 400.</summary>
    public static bool TryParse(Func<string, string?> query, out LogOptions options, out string? error)
    {
        options = new LogOptions();
        error = null;
        try
        {
            options = new LogOptions
            {
                Follow = Bool(query("follow")),
                Previous = Bool(query("previous")),
                Timestamps = Bool(query("timestamps")),
                TailLines = Long(query("tailLines"), "tailLines"),
                LimitBytes = Long(query("limitBytes"), "limitBytes"),
                SinceSeconds = Long(query("sinceSeconds"), "sinceSeconds"),
                SinceTime = query("sinceTime") is { Length: > 0 } t
                    ? DateTimeOffset.Parse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
                    : null,
            };
        }
        catch (FormatException e)
        {
            error = e.Message;
            return false;
        }
        if (options.TailLines < 0) error = "tailLines: Invalid value: must be greater than or equal to 0";
        else if (options.LimitBytes < 1) error = "limitBytes: Invalid value: must be greater than 0";
        else if (options.SinceSeconds < 1) error = "sinceSeconds: Invalid value: must be greater than 0";
        else if (options.SinceSeconds is not null && options.SinceTime is not null) error = "at most one of `sinceTime` or `sinceSeconds` may be specified";
        return error is null;
    }

    private static bool Bool(string? v) => v is "true" or "1" or "True" or "TRUE";

    private static long? Long(string? v, string name) =>
        string.IsNullOrEmpty(v) ? null
        : long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n
        : throw new FormatException($"{name}: Invalid value: \"{v}\": must be an integer");
}
