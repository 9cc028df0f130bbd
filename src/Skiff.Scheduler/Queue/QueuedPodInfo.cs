using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Queue;

/// <summary>
/// A pod waiting in the scheduling queue, with its queueing history: when it entered (its place among
/// pods of equal priority), how many times it was tried, which plugins rejected it last (so only their
/// cluster events wake it), and when its backoff ends. Owned by the queue; read by the scheduling loop.
/// </summary>
public sealed class QueuedPodInfo
{
    internal QueuedPodInfo(PodInfo pod, DateTimeOffset now, long seq)
    {
        PodInfo = pod;
        Timestamp = now;
        InitialAttemptTimestamp = now;
        Seq = seq;
    }

    public PodInfo PodInfo { get; internal set; }
    public string Uid => PodInfo.Uid;
    /// <summary>When the pod last entered the active queue (ties between equal priorities go to the older).</summary>
    public DateTimeOffset Timestamp { get; internal set; }
    public DateTimeOffset InitialAttemptTimestamp { get; }
    /// <summary>Scheduling attempts so far (the backoff doubles with each).</summary>
    public int Attempts { get; internal set; }
    /// <summary>Plugins that rejected the pod in its last attempt; empty means any event may help.</summary>
    public IReadOnlySet<string> UnschedulablePlugins { get; internal set; } = new HashSet<string>();
    public DateTimeOffset BackoffExpiry { get; internal set; }
    /// <summary>When it was put among the unschedulable pods (for the periodic flush).</summary>
    internal DateTimeOffset UnschedulableSince { get; set; }
    internal long Seq { get; set; }
    internal Location Where { get; set; }

    internal enum Location { None, Active, Backoff, Unschedulable, InFlight }
}
