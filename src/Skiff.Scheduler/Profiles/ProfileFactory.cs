using Skiff.Scheduler.Binding;
using Skiff.Scheduler.Framework;
using Skiff.Scheduler.Plugins;
using Skiff.Scheduler.Preemption;

namespace Skiff.Scheduler.Profiles;

/// <summary>What plugins may use besides the pod and the node: listers, API writes, events, nominations.</summary>
public sealed record PluginHandle(IClusterLister Lister, ISchedulerApi Api, IEventRecorder Events, IPodNominator Nominator);

/// <summary>
/// Builds a profile's framework with kube-scheduler's default plugin set, in upstream's order (which
/// decides the first failing filter a node reports) and with its default score weights.
/// Stateless; thread-safe.
/// </summary>
public static class ProfileFactory
{
    /// <summary>Upstream's default score weights (v1 KubeSchedulerConfiguration).</summary>
    public static readonly IReadOnlyDictionary<string, int> DefaultWeights = new Dictionary<string, int>
    {
        ["TaintToleration"] = 3,
        ["NodeAffinity"] = 2,
        ["PodTopologySpread"] = 2,
        ["InterPodAffinity"] = 2,
        ["NodeResourcesFit"] = 1,
        ["NodeResourcesBalancedAllocation"] = 1,
        ["ImageLocality"] = 1,
    };

    public static SchedulingFramework Build(ProfileOptions profile, PluginHandle handle)
    {
        var preemption = new DefaultPreemption(handle, profile.SchedulerName);
        IPlugin[] all =
        [
            new NodeUnschedulable(),
            new NodeName(),
            new TaintToleration(),
            new NodeAffinity(),
            new NodePorts(),
            new NodeResourcesFit(profile.ScoringStrategy, profile.ScoringResources),
            new VolumeBinding(handle.Lister, handle.Api),
            new PodTopologySpread(),
            new InterPodAffinity(handle.Lister),
            preemption,
            new NodeResourcesBalancedAllocation(profile.ScoringResources),
            new ImageLocality(),
            new DefaultBinder(handle.Api),
        ];
        var disabled = profile.DisabledPlugins.ToHashSet(StringComparer.Ordinal);
        var fw = new SchedulingFramework(profile.SchedulerName, all.Where(p => !disabled.Contains(p.Name)), DefaultWeights);
        preemption.Framework = fw;
        return fw;
    }

    /// <summary>Every profile's framework by schedulerName.</summary>
    public static IReadOnlyDictionary<string, SchedulingFramework> BuildAll(SchedulerOptions options, PluginHandle handle) =>
        options.Profiles.ToDictionary(p => p.SchedulerName, p => Build(p, handle), StringComparer.Ordinal);
}
