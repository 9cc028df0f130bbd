namespace Skiff.Client.Rest;

/// <summary>
/// Query options of list and watch requests, as upstream's metav1.ListOptions.
/// Immutable record; safe from any thread.
/// </summary>
public sealed record ListOptions
{
    /// <summary>e.g. "app=web,tier!=db".</summary>
    public string? LabelSelector { get; init; }
    /// <summary>e.g. "spec.nodeName=node-1".</summary>
    public string? FieldSelector { get; init; }
    /// <summary>Page size; 0 for no limit.</summary>
    public int Limit { get; init; }
    /// <summary>The continue token of the previous page.</summary>
    public string? Continue { get; init; }
    /// <summary>For list: "" (most recent, quorum), "0" (any); for watch: start after this revision.</summary>
    public string? ResourceVersion { get; init; }
    /// <summary>"NotOlderThan" or "Exact".</summary>
    public string? ResourceVersionMatch { get; init; }
    /// <summary>Watch: ask for BOOKMARK events (on by default; the watch resumes from them).</summary>
    public bool AllowWatchBookmarks { get; init; } = true;
    /// <summary>Server-side bound of a watch or list.</summary>
    public int? TimeoutSeconds { get; init; }

    public static ListOptions Default { get; } = new();

    internal void AppendTo(QueryString q, bool watch)
    {
        q.Add("labelSelector", LabelSelector);
        q.Add("fieldSelector", FieldSelector);
        if (!watch)
        {
            if (Limit > 0) q.Add("limit", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
            q.Add("continue", Continue);
        }
        q.Add("resourceVersion", ResourceVersion);
        q.Add("resourceVersionMatch", ResourceVersionMatch);
        if (watch)
        {
            q.Add("watch", "true");
            if (AllowWatchBookmarks) q.Add("allowWatchBookmarks", "true");
        }
        if (TimeoutSeconds is { } t) q.Add("timeoutSeconds", t.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

/// <summary>The body formats of PATCH, as upstream's types.PatchType.</summary>
public enum PatchType
{
    /// <summary>RFC 6902 JSON patch (application/json-patch+json).</summary>
    Json,
    /// <summary>RFC 7386 merge patch (application/merge-patch+json).</summary>
    Merge,
    /// <summary>Kubernetes strategic merge patch (application/strategic-merge-patch+json).</summary>
    StrategicMerge,
    /// <summary>Server-side apply (application/apply-patch+yaml; JSON is valid YAML). Needs a field manager.</summary>
    Apply,
}

/// <summary>Options of writes: dry run and field management, as upstream's Create/Update/PatchOptions.</summary>
public sealed record WriteOptions
{
    /// <summary>Field manager recorded in managedFields; required for <see cref="PatchType.Apply"/>.</summary>
    public string? FieldManager { get; init; }
    /// <summary>Apply only: take ownership of conflicting fields.</summary>
    public bool Force { get; init; }
    public bool DryRun { get; init; }
    /// <summary>"Strict", "Warn" or "Ignore".</summary>
    public string? FieldValidation { get; init; }

    public static WriteOptions Default { get; } = new();

    internal void AppendTo(QueryString q)
    {
        q.Add("fieldManager", FieldManager);
        if (Force) q.Add("force", "true");
        if (DryRun) q.Add("dryRun", "All");
        q.Add("fieldValidation", FieldValidation);
    }
}

/// <summary>A URL query string built in order, values escaped. Not thread-safe (one per request).</summary>
internal sealed class QueryString
{
    private readonly System.Text.StringBuilder _sb = new();

    public void Add(string name, string? value)
    {
        if (value is null) return;
        _sb.Append(_sb.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
    }

    public override string ToString() => _sb.ToString();
}
