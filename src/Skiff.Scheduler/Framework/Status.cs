namespace Skiff.Scheduler.Framework;

/// <summary>The outcome kinds of a plugin call, as upstream's framework codes.</summary>
public enum StatusCode
{
    Success,
    /// <summary>An internal error; the pod is retried with backoff.</summary>
    Error,
    /// <summary>The node does not fit now, but removing pods (preemption) may change that.</summary>
    Unschedulable,
    /// <summary>The node does not fit and preemption cannot help.</summary>
    UnschedulableAndUnresolvable,
    /// <summary>The plugin has nothing to do for this pod (PreFilter/PreScore: skip its Filter/Score).</summary>
    Skip,
}

/// <summary>
/// A plugin's answer: a code, the human reasons (upstream's exact wording, counted per node in the
/// "0/N nodes are available" message) and the plugin that gave it. Null stands for success throughout
/// the framework. Immutable; thread-safe.
/// </summary>
public sealed record Status(StatusCode Code, IReadOnlyList<string> Reasons, string Plugin = "")
{
    public static Status Unschedulable(params string[] reasons) => new(StatusCode.Unschedulable, reasons);
    public static Status Unresolvable(params string[] reasons) => new(StatusCode.UnschedulableAndUnresolvable, reasons);
    public static Status Error(string message) => new(StatusCode.Error, [message]);
    public static readonly Status SkipStatus = new(StatusCode.Skip, []);

    public bool IsRejected => Code is StatusCode.Unschedulable or StatusCode.UnschedulableAndUnresolvable;
    public string Message => string.Join(", ", Reasons);
    public Status WithPlugin(string plugin) => Plugin == plugin ? this : this with { Plugin = plugin };
}

/// <summary>Per-cycle scratch space where PreFilter/PreScore leave what Filter/Score read. Safe for concurrent reads after PreFilter.</summary>
public sealed class CycleState
{
    private readonly Dictionary<string, object> _data = new(StringComparer.Ordinal);

    public void Write(string key, object value) => _data[key] = value;
    public T? Read<T>(string key) where T : class => _data.TryGetValue(key, out var v) ? v as T : null;

    /// <summary>Plugins that returned Skip at PreFilter (their Filter is not called) or PreScore (Score not called).</summary>
    public HashSet<string> SkipFilterPlugins { get; } = new(StringComparer.Ordinal);
    public HashSet<string> SkipScorePlugins { get; } = new(StringComparer.Ordinal);

    /// <summary>The filter plugins to run this cycle (set by the framework after PreFilter; read concurrently).</summary>
    internal object? ActiveFilters { get; set; }

    /// <summary>A copy for preemption's what-if runs: values that change per node implement <see cref="ICloneableState"/>.</summary>
    public CycleState Clone()
    {
        var c = new CycleState();
        foreach (var (k, v) in _data) c._data[k] = v is ICloneableState cs ? cs.Clone() : v;
        c.SkipFilterPlugins.UnionWith(SkipFilterPlugins);
        c.ActiveFilters = ActiveFilters;
        c.SkipScorePlugins.UnionWith(SkipScorePlugins);
        return c;
    }
}

/// <summary>Cycle state that preemption mutates (AddPod/RemovePod) and so must be copied per what-if.</summary>
public interface ICloneableState
{
    object Clone();
}
