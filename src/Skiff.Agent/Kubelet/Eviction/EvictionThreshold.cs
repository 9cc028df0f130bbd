using System.Globalization;

namespace Skiff.Agent.Kubelet.Eviction;

/// <summary>Upstream's eviction signals: what each one measures, the node condition it drives and the resource it reclaims.</summary>
public static class EvictionSignals
{
    public const string MemoryAvailable = "memory.available";
    public const string NodeFsAvailable = "nodefs.available";
    public const string NodeFsInodesFree = "nodefs.inodesFree";
    public const string ImageFsAvailable = "imagefs.available";
    public const string ImageFsInodesFree = "imagefs.inodesFree";
    public const string PidAvailable = "pid.available";

    public static readonly IReadOnlyList<string> All = [MemoryAvailable, NodeFsAvailable, NodeFsInodesFree, ImageFsAvailable, ImageFsInodesFree, PidAvailable];

    public static string Condition(string signal) => signal switch
    {
        MemoryAvailable => "MemoryPressure",
        PidAvailable => "PIDPressure",
        _ => "DiskPressure",
    };

    /// <summary>The resource named in upstream's messages ("The node was low on resource: memory.").</summary>
    public static string Resource(string signal) => signal switch
    {
        MemoryAvailable => "memory",
        NodeFsAvailable or ImageFsAvailable => "ephemeral-storage",
        NodeFsInodesFree or ImageFsInodesFree => "inodes",
        _ => "pids",
    };

    /// <summary>Which starved resource is reclaimed first when several are (upstream's byEvictionPriority: memory first).</summary>
    public static int Priority(string signal) => signal switch
    {
        MemoryAvailable => 0,
        NodeFsAvailable or ImageFsAvailable => 1,
        NodeFsInodesFree or ImageFsInodesFree => 2,
        _ => 3,
    };
}

/// <summary>
/// One hard eviction threshold, "signal &lt; value", as upstream's --eviction-hard writes it: the value is a quantity
/// ("100Mi") or a share of the signal's capacity ("10%"). Immutable.
/// </summary>
public sealed record EvictionThreshold(string Signal, long? Quantity, double? Percentage, string Text)
{
    /// <summary>How long the threshold must be met before it evicts: zero for a hard threshold, --eviction-soft-grace-period for a soft one.</summary>
    public TimeSpan GracePeriod { get; init; }

    public bool IsHard => GracePeriod == TimeSpan.Zero;

    /// <summary>Upstream's Linux defaults (DefaultEvictionHard).</summary>
    public static readonly IReadOnlyList<EvictionThreshold> Defaults = Parse("memory.available<100Mi,nodefs.available<10%,nodefs.inodesFree<5%,imagefs.available<15%,imagefs.inodesFree<5%");

    /// <summary>The threshold in the signal's unit for a capacity of <paramref name="capacity"/>.</summary>
    public long ValueFor(long capacity) => Quantity ?? (long)(capacity * Percentage!.Value);

    /// <summary>--eviction-minimum-reclaim for the signal, as a quantity: how much more than the threshold must be available again before it is resolved.</summary>
    public long? MinReclaimQuantity { get; init; }

    /// <summary>--eviction-minimum-reclaim for the signal, as a share of the capacity.</summary>
    public double? MinReclaimPercentage { get; init; }

    /// <summary>The minimum reclaim in the signal's unit for a capacity of <paramref name="capacity"/>; 0 without one.</summary>
    public long MinReclaimFor(long capacity) => MinReclaimQuantity ?? (MinReclaimPercentage is { } p ? (long)(capacity * p) : 0);

    /// <summary>
    /// Met when the available amount is below the threshold (upstream's only operator, LessThan); with
    /// <paramref name="enforceMinReclaim"/>, below the threshold plus its minimum reclaim (whether a threshold met
    /// before is resolved yet).
    /// </summary>
    public bool IsMet(long available, long capacity, bool enforceMinReclaim = false) =>
        available < ValueFor(capacity) + (enforceMinReclaim ? MinReclaimFor(capacity) : 0);

    /// <summary>
    /// Upstream's --eviction-minimum-reclaim ("memory.available=0Mi,nodefs.available=500Mi,imagefs.available=2%"):
    /// <paramref name="thresholds"/> with the minimum reclaim of their signal. A signal given twice takes the last value.
    /// </summary>
    /// <exception cref="FormatException">Upstream's messages.</exception>
    public static IReadOnlyList<EvictionThreshold> WithMinimumReclaim(IReadOnlyList<EvictionThreshold> thresholds, string expression)
    {
        var reclaims = new Dictionary<string, (long? Quantity, double? Percentage)>(StringComparer.Ordinal);
        foreach (var statement in expression.Length == 0 ? [] : expression.Split(','))
        {
            var parts = statement.Split('=');
            if (parts.Length != 2) throw new FormatException($"invalid eviction minimum reclaim syntax: {statement}, expected <signal>=<value>");
            var (signal, value) = (parts[0].Trim(), parts[1].Trim());
            if (!EvictionSignals.All.Contains(signal)) throw new FormatException($"unsupported eviction signal {signal}");
            if (value.EndsWith('%'))
            {
                if (!double.TryParse(value[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent))
                    throw new FormatException($"invalid eviction minimum reclaim {signal}: \"{value}\" is not a percentage");
                if (percent <= 0) throw new FormatException($"eviction percentage minimum reclaim {signal} must be positive: {value}");
                reclaims[signal] = (null, percent / 100);
                continue;
            }
            decimal amount;
            try { amount = Quantities.Parse(value); }
            catch (FormatException) { throw new FormatException($"invalid eviction minimum reclaim {signal}: \"{value}\" is not a quantity"); }
            if (amount < 0) throw new FormatException($"negative eviction minimum reclaim specified for {signal}");
            if (amount > long.MaxValue) throw new FormatException($"eviction minimum reclaim {signal} is too large: {value}");
            reclaims[signal] = ((long)Math.Ceiling(amount), null);
        }
        return [.. thresholds.Select(t => reclaims.TryGetValue(t.Signal, out var r) ? t with { MinReclaimQuantity = r.Quantity, MinReclaimPercentage = r.Percentage } : t)];
    }

    /// <summary>
    /// "memory.available&lt;100Mi,nodefs.available&lt;10%": upstream's --eviction-hard. A 0% threshold is dropped
    /// (disabled), as upstream does.
    /// </summary>
    /// <exception cref="FormatException">Upstream's messages: bad syntax, an unknown or repeated signal, a bad value.</exception>
    public static IReadOnlyList<EvictionThreshold> Parse(string expression)
    {
        var result = new List<EvictionThreshold>();
        if (expression.Length == 0) return result;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var statement in expression.Split(','))
        {
            var parts = statement.Split('<');
            if (parts.Length != 2)
                throw new FormatException($"invalid eviction threshold syntax {statement}, expected <signal><operator><value>");
            var (signal, value) = (parts[0].Trim(), parts[1].Trim());
            if (!EvictionSignals.All.Contains(signal)) throw new FormatException($"unsupported eviction signal {signal}");
            if (!seen.Add(signal)) throw new FormatException($"found duplicate eviction threshold for signal {signal}");
            if (value.EndsWith('%'))
            {
                if (!double.TryParse(value[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent))
                    throw new FormatException($"invalid eviction threshold {signal}: \"{value}\" is not a percentage");
                if (percent < 0) throw new FormatException($"eviction percentage threshold {signal} must be >= 0%: {value}");
                if (percent > 100) throw new FormatException($"eviction percentage threshold {signal} must be <= 100%: {value}");
                if (percent > 0) result.Add(new EvictionThreshold(signal, null, percent / 100, value));
                continue;
            }
            decimal bytes;
            try { bytes = Quantities.Parse(value); }
            catch (FormatException) { throw new FormatException($"invalid eviction threshold {signal}: \"{value}\" is not a quantity"); }
            if (bytes <= 0) throw new FormatException($"eviction threshold {signal} must be positive: {value}");
            if (bytes > long.MaxValue) throw new FormatException($"eviction threshold {signal} is too large: {value}");
            result.Add(new EvictionThreshold(signal, (long)Math.Ceiling(bytes), null, value));
        }
        return result;
    }

    /// <summary>
    /// Upstream's --eviction-soft with --eviction-soft-grace-period ("memory.available=1m30s,..."): every soft
    /// threshold needs a grace period.
    /// </summary>
    /// <exception cref="FormatException">Upstream's messages.</exception>
    public static IReadOnlyList<EvictionThreshold> ParseSoft(string expression, string gracePeriods)
    {
        var graces = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        if (gracePeriods.Length > 0)
        {
            foreach (var statement in gracePeriods.Split(','))
            {
                var parts = statement.Split('=');
                if (parts.Length != 2) throw new FormatException($"invalid eviction grace period syntax {statement}, expected <signal>=<duration>");
                var signal = parts[0].Trim();
                if (!EvictionSignals.All.Contains(signal)) throw new FormatException($"unsupported eviction signal {signal}");
                var grace = GoDuration.Parse(parts[1].Trim());
                if (grace < TimeSpan.Zero) throw new FormatException($"invalid eviction grace period specified: {parts[1]}, must be a positive value");
                if (!graces.TryAdd(signal, grace)) throw new FormatException($"duplicate eviction grace period specified for {signal}");
            }
        }
        return [.. Parse(expression).Select(t => graces.TryGetValue(t.Signal, out var g)
            ? t with { GracePeriod = g }
            : throw new FormatException($"grace period must be specified for the soft eviction threshold {t.Signal}"))];
    }

    /// <summary>The threshold as upstream's messages print it: a quantity as written, a percentage as the amount it is of <paramref name="capacity"/>.</summary>
    public string Describe(long capacity) => Quantity is not null ? Text : FormatQuantity(ValueFor(capacity), binary: true);

    /// <summary>
    /// A whole amount as upstream prints a quantity: binary (bytes) with the largest of Ki, Mi, ... that divides it
    /// exactly, decimal (counts) with the largest of k, M, ...; else the plain number.
    /// </summary>
    public static string FormatQuantity(long value, bool binary)
    {
        if (value == 0) return "0";
        string[] suffixes = binary ? ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"] : ["", "k", "M", "G", "T", "P", "E"];
        var step = binary ? 1024UL : 1000UL;
        var sign = value < 0 ? "-" : "";
        var v = value == long.MinValue ? (ulong)long.MaxValue + 1 : (ulong)Math.Abs(value);
        var i = 0;
        while (i < suffixes.Length - 1 && v % step == 0) { v /= step; i++; }
        return sign + v.ToString(CultureInfo.InvariantCulture) + suffixes[i];
    }
}
