using Skiff.Scheduler.Plugins;
using Skiff.Scheduler.Queue;

namespace Skiff.Scheduler;

/// <summary>One scheduling profile: the schedulerName pods ask for, and how it scores resources.</summary>
public sealed record ProfileOptions
{
    public string SchedulerName { get; init; } = SchedulerOptions.DefaultSchedulerName;
    /// <summary>LeastAllocated spreads pods (the default); MostAllocated packs them (bin packing).</summary>
    public ScoringStrategy ScoringStrategy { get; init; } = ScoringStrategy.LeastAllocated;
    /// <summary>Resources and weights for NodeResourcesFit scoring and BalancedAllocation (default cpu, memory: 1 each).</summary>
    public IReadOnlyList<ResourceWeight>? ScoringResources { get; init; }
    /// <summary>Plugins to leave out of this profile by name (e.g. "ImageLocality", "DefaultPreemption").</summary>
    public IReadOnlyList<string> DisabledPlugins { get; init; } = [];
}

/// <summary>Settings of the scheduler, bound in one place from flags. Immutable record.</summary>
public sealed record SchedulerOptions
{
    public const string DefaultSchedulerName = "default-scheduler";

    /// <summary>The profiles; a pod whose spec.schedulerName names none of them is left to another scheduler.</summary>
    public IReadOnlyList<ProfileOptions> Profiles { get; init; } = [new ProfileOptions()];
    /// <summary>Share of nodes to find feasible before scoring; 0 is upstream's adaptive default.</summary>
    public int PercentageOfNodesToScore { get; init; }
    /// <summary>Threads for filtering and scoring nodes.</summary>
    public int Parallelism { get; init; } = Math.Max(1, Environment.ProcessorCount);
    /// <summary>Bindings in flight at once; the loop waits for a slot when all are taken.</summary>
    public int MaxConcurrentBindings { get; init; } = 64;
    public SchedulingQueueOptions Queue { get; init; } = SchedulingQueueOptions.Default;
    /// <summary>Lease name for leader election in kube-system; null: no election (run always).</summary>
    public string? LeaderElectionLease { get; init; } = "kube-scheduler";

    public static SchedulerOptions Default { get; } = new();
}
