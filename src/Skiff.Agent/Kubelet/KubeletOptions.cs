using Skiff.Agent.Kubelet.ImageGc;
using Skiff.Api.Models.Core.V1;

namespace Skiff.Agent.Kubelet;

/// <summary>
/// The kubelet's settings, bound once by the CLI (<c>--node-name</c>, <c>--node-label</c>, <c>--node-taint</c>)
/// beside <see cref="AgentOptions"/>. Intervals default to upstream's. Immutable record; safe to share.
/// </summary>
public sealed record KubeletOptions
{
    public required string NodeName { get; init; }

    /// <summary>The node's InternalIP (--node-ip); null: the address of the default route's interface.</summary>
    public string? NodeIp { get; init; }

    /// <summary>Extra labels from --node-label, applied at registration.</summary>
    public IReadOnlyDictionary<string, string> NodeLabels { get; init; } = new Dictionary<string, string>();

    /// <summary>Taints from --node-taint, applied when the Node is first registered.</summary>
    public IReadOnlyList<Taint> NodeTaints { get; init; } = [];

    /// <summary>True on a server node: it gets k3s's control-plane role labels.</summary>
    public bool ControlPlane { get; init; }

    /// <summary>Reported in status.nodeInfo.kubeletVersion, e.g. v1.36.0+skiff0.1.0.</summary>
    public string KubeletVersion { get; init; } = "v0.0.0";

    /// <summary>The kubelet API port advertised in status.daemonEndpoints.</summary>
    public int KubeletPort { get; init; } = 10250;

    public int MaxPods { get; init; } = 110;

    /// <summary>How often node conditions are computed (upstream's nodeStatusUpdateFrequency).</summary>
    public TimeSpan NodeStatusUpdateFrequency { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often an unchanged status is still reported (upstream's nodeStatusReportFrequency).</summary>
    public TimeSpan NodeStatusReportFrequency { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan LeaseRenewInterval { get; init; } = TimeSpan.FromSeconds(10);
    public int LeaseDurationSeconds { get; init; } = 40;

    /// <summary>How often the runtime is listed for container state changes (upstream's PLEG relist period).</summary>
    public TimeSpan RelistPeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Every pod is synced at least this often even without events (upstream's sync frequency).</summary>
    public TimeSpan PodResyncPeriod { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the eviction signals and emptyDir usage are checked (upstream's eviction monitoring period).</summary>
    public TimeSpan EvictionMonitoringPeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Hard eviction thresholds (upstream's --eviction-hard; its Linux defaults unless given).</summary>
    public IReadOnlyList<Eviction.EvictionThreshold> EvictionHard { get; init; } = Eviction.EvictionThreshold.Defaults;

    /// <summary>Soft eviction thresholds with their grace periods (--eviction-soft, --eviction-soft-grace-period; none by default).</summary>
    public IReadOnlyList<Eviction.EvictionThreshold> EvictionSoft { get; init; } = [];

    /// <summary>The grace period pods evicted for a soft threshold are stopped with, in seconds (--eviction-max-pod-grace-period).</summary>
    public long EvictionMaxPodGracePeriodSeconds { get; init; }

    /// <summary>How long a pressure condition stays True after its threshold was last met (upstream's --eviction-pressure-transition-period).</summary>
    public TimeSpan EvictionPressureTransitionPeriod { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>When unused images are removed (--image-gc-high-threshold, --image-gc-low-threshold, --minimum-image-ttl-duration).</summary>
    public ImageGcPolicy ImageGc { get; init; } = ImageGcPolicy.Default;

    /// <summary>When a container's log file is rotated and how many files are kept (--container-log-max-size, --container-log-max-files).</summary>
    public Logs.LogRotationPolicy ContainerLogs { get; init; } = Logs.LogRotationPolicy.Default;

    /// <summary>How often container log files are checked for rotation (upstream's containerLogMonitorInterval).</summary>
    public TimeSpan ContainerLogMonitorInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Crash-loop and image-pull backoff: start and cap (upstream: 10 s doubling to 5 min).</summary>
    public TimeSpan BackoffInitial { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromMinutes(5);
}
