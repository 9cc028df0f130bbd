namespace Skiff.Scheduler.Queue;

/// <summary>Timing of the scheduling queue, upstream's defaults. Immutable record.</summary>
public sealed record SchedulingQueueOptions
{
    /// <summary>Backoff after the first failed attempt; doubles per attempt.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Unschedulable pods are retried after this long even if no event moved them.</summary>
    public TimeSpan MaxUnschedulableDuration { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan BackoffFlushInterval { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan UnschedulableFlushInterval { get; init; } = TimeSpan.FromSeconds(30);

    public static SchedulingQueueOptions Default { get; } = new();
}
