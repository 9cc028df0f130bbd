using System.Text;

namespace Skiff.Scheduler.Framework;

/// <summary>
/// Why a pod fits no node, and the message upstream prints for it:
/// "0/N nodes are available: &lt;PreFilter reason&gt;." or "0/N nodes are available: 3 Insufficient cpu,
/// 2 node(s) had untolerated taint {k: v}." followed by the PostFilter (preemption) message. Reasons are
/// counted over nodes and sorted as strings, exactly like upstream's histogram. Immutable after construction.
/// </summary>
public sealed class FitError(int numAllNodes, IReadOnlyDictionary<string, Status> nodeStatuses, string? preFilterMessage = null)
{
    public const string NoNodesAvailable = "no nodes available to schedule pods";

    public int NumAllNodes => numAllNodes;
    public IReadOnlyDictionary<string, Status> NodeStatuses => nodeStatuses;
    public string? PreFilterMessage => preFilterMessage;
    public string? PostFilterMessage { get; set; }

    /// <summary>Plugins that rejected the pod somewhere (the queue moves it back on their events).</summary>
    public IReadOnlySet<string> UnschedulablePlugins =>
        nodeStatuses.Values.Where(s => s.IsRejected && s.Plugin.Length > 0).Select(s => s.Plugin).ToHashSet(StringComparer.Ordinal);

    public string Message
    {
        get
        {
            var sb = new StringBuilder();
            sb.Append("0/").Append(numAllNodes).Append(" nodes are available:");
            if (!string.IsNullOrEmpty(preFilterMessage)) sb.Append(' ').Append(preFilterMessage).Append('.');
            else
            {
                var histogram = Histogram(nodeStatuses.Values);
                if (histogram.Length > 0) sb.Append(' ').Append(histogram).Append('.');
            }
            if (!string.IsNullOrEmpty(PostFilterMessage)) sb.Append(' ').Append(PostFilterMessage);
            return sb.ToString();
        }
    }

    /// <summary>"2 Insufficient cpu, 1 node(s) were unschedulable": each reason with the number of nodes giving it, sorted ordinally.</summary>
    public static string Histogram(IEnumerable<Status> statuses)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var s in statuses)
            foreach (var r in s.Reasons) counts[r] = counts.GetValueOrDefault(r) + 1;
        var parts = counts.Select(kv => $"{kv.Value} {kv.Key}").ToList();
        parts.Sort(StringComparer.Ordinal);
        return string.Join(", ", parts);
    }

    public override string ToString() => Message;
}
