using Skiff.Api.Models;
using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Meta.V1;
using Skiff.Api.Models.Policy.V1;

namespace Skiff.Controllers.Disruption;

/// <summary>
/// A PodDisruptionBudget's status from the pods it selects, as upstream's disruption controller
/// computes it: how many pods are expected (the pods' controllers' replicas, or the pods
/// themselves for an integer minAvailable), how many must stay healthy, how many are healthy
/// now (Ready, not being deleted, not just evicted), and so how many disruptions are allowed.
/// Pure; unit-tested.
/// </summary>
public static class DisruptionBudgetMath
{
    /// <summary>How long an eviction's entry in status.disruptedPods keeps a pod from counting as healthy.</summary>
    public static readonly TimeSpan DisruptedPodTimeout = TimeSpan.FromMinutes(2);

    /// <param name="expectedFromControllers">The summed replicas of the pods' controllers, or null when some pod has no
    /// controller with a scale (then only an integer minAvailable can be honoured).</param>
    public static PodDisruptionBudgetStatus Compute(PodDisruptionBudget pdb, IReadOnlyList<Pod> pods, int? expectedFromControllers, DateTimeOffset now)
    {
        var spec = pdb.Spec ?? new PodDisruptionBudgetSpec();
        var old = pdb.Status ?? new PodDisruptionBudgetStatus();
        var disrupted = (old.DisruptedPods ?? []).Where(kv => now - kv.Value < DisruptedPodTimeout
            && pods.Any(p => p.Metadata?.Name == kv.Key && p.Metadata?.DeletionTimestamp is null))
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        var healthy = pods.Count(p => p.Metadata?.DeletionTimestamp is null && IsReady(p) && !disrupted.ContainsKey(p.Metadata?.Name ?? ""));

        int expected, desired;
        string? failure = null;
        if (spec.MaxUnavailable is { } maxUnavailable)
        {
            expected = expectedFromControllers ?? pods.Count;
            if (expectedFromControllers is null && maxUnavailable.IsString) failure = "found no controllers for pods";
            desired = Math.Max(0, expected - Scaled(maxUnavailable, expected, roundUp: true));
        }
        else if (spec.MinAvailable is { IsString: false } minInt)
        {
            expected = pods.Count;
            desired = minInt.IntValue;
        }
        else if (spec.MinAvailable is { } minPercent)
        {
            expected = expectedFromControllers ?? pods.Count;
            if (expectedFromControllers is null) failure = "found no controllers for pods";
            desired = Scaled(minPercent, expected, roundUp: true);
        }
        else
        {
            expected = pods.Count;
            desired = 0;
        }

        var allowed = failure is null ? Math.Max(0, healthy - desired) : 0;
        var status = new PodDisruptionBudgetStatus
        {
            ObservedGeneration = pdb.Metadata?.Generation,
            DisruptedPods = disrupted.Count == 0 ? null : disrupted,
            CurrentHealthy = healthy,
            DesiredHealthy = desired,
            ExpectedPods = expected,
            DisruptionsAllowed = allowed,
        };
        var (condStatus, reason, message) = failure is not null ? ("False", "SyncFailed", failure)
            : allowed > 0 ? ("True", "SufficientPods", "") : ("False", "InsufficientPods", "");
        var previous = old.Conditions?.FirstOrDefault(c => c.Type == "DisruptionAllowed");
        status.Conditions =
        [
            new Condition
            {
                Type = "DisruptionAllowed", Status = condStatus, Reason = reason, Message = message,
                ObservedGeneration = pdb.Metadata?.Generation,
                LastTransitionTime = previous?.Status == condStatus ? previous.LastTransitionTime : now,
            },
        ];
        return status;
    }

    private static bool IsReady(Pod p) =>
        p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    /// <summary>An int, or a percentage of <paramref name="total"/> ("25%"), rounded as asked.</summary>
    public static int Scaled(IntOrString value, int total, bool roundUp)
    {
        if (!value.IsString) return value.IntValue;
        var text = value.StringValue!.TrimEnd('%');
        if (!int.TryParse(text, out var percent)) return 0;
        var exact = percent * (double)total / 100.0;
        return roundUp ? (int)Math.Ceiling(exact) : (int)Math.Floor(exact);
    }
}
