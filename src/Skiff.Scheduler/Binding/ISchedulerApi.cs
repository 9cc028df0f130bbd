using Skiff.Api.Models.Core.V1;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Binding;

/// <summary>
/// The writes the scheduler makes to the API server, behind one seam so tests use fakes:
/// binding, pod status (conditions, nominatedNodeName), deleting preemption victims, volume binding.
/// Implementations are safe from any thread.
/// </summary>
public interface ISchedulerApi
{
    /// <summary>POST pods/NAME/binding.</summary>
    Task BindAsync(PodInfo pod, string nodeName, CancellationToken ct);

    /// <summary>
    /// Sets a pod condition (by type) and, when <paramref name="nominatedNodeName"/> is not null, status.nominatedNodeName
    /// ("" clears it), through the pods/status subresource. With <paramref name="onlyWhileUnassigned"/> the write is
    /// conditional on the pod still being unassigned, so a late "unschedulable" never overwrites a binding.
    /// </summary>
    Task UpdatePodStatusAsync(PodInfo pod, PodCondition? condition, string? nominatedNodeName, CancellationToken ct, bool onlyWhileUnassigned = false);

    /// <summary>Deletes a pod gracefully (its own grace period), only if it is still the same pod (uid precondition).</summary>
    Task DeletePodAsync(PodInfo pod, CancellationToken ct);

    /// <summary>Binds a PersistentVolume to a claim (PV claimRef, then the claim's volumeName).</summary>
    Task BindVolumeAsync(PersistentVolume volume, PersistentVolumeClaim claim, CancellationToken ct);

    /// <summary>Marks a WaitForFirstConsumer claim for dynamic provisioning on <paramref name="nodeName"/>.</summary>
    Task SelectNodeForClaimAsync(PersistentVolumeClaim claim, string nodeName, CancellationToken ct);
}

/// <summary>Records Kubernetes Events about pods (FailedScheduling, Scheduled, Preempted). Never blocks; may drop under overload.</summary>
public interface IEventRecorder
{
    void Record(PodInfo regarding, string type, string reason, string message);
}
