using System.Collections.Concurrent;
using Skiff.Api.Models.Core.V1;
using Skiff.Api.Quantities;
using Skiff.Scheduler.Binding;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins;

/// <summary>
/// PersistentVolumeClaims of the pod: a missing claim or an unbound claim of an Immediate class rejects
/// the pod everywhere; a bound claim's volume must allow the node (nodeAffinity, e.g. local volumes); an
/// unbound WaitForFirstConsumer claim needs an available matching volume the node can reach, or a
/// provisioner. The chosen volumes are bound (and provisioning nodes selected) in PreBind.
/// </summary>
public sealed class VolumeBinding(IClusterLister lister, ISchedulerApi api) : IPreFilterPlugin, IFilterPlugin, IReservePlugin, IPreBindPlugin, IEnqueueExtensions
{
    public const string ReasonNodeConflict = "node(s) had volume node affinity conflict";
    public const string ReasonBindConflict = "node(s) didn't find available persistent volumes to bind";
    public const string ReasonUnboundImmediate = "pod has unbound immediate PersistentVolumeClaims";
    private const string Key = "PreFilterVolumeBinding";
    private const string NoProvisioner = "kubernetes.io/no-provisioner";

    public string Name => "VolumeBinding";
    public IReadOnlyList<ClusterEvent> EventsToRegister { get; } =
    [
        new(EventResource.PersistentVolumeClaim, ActionType.Add | ActionType.Update),
        new(EventResource.PersistentVolume, ActionType.Add | ActionType.Update),
        new(EventResource.StorageClass, ActionType.Add),
        ClusterEvent.NodeAdd, ClusterEvent.NodeUpdate,
    ];

    private sealed record NodeDecision(List<(PersistentVolume Volume, PersistentVolumeClaim Claim)> Binds, List<PersistentVolumeClaim> Provisions);

    private sealed class State
    {
        public required List<PersistentVolumeClaim> Bound;
        public required List<(PersistentVolumeClaim Claim, Api.Models.Storage.V1.StorageClass? Class)> Delayed;
        public readonly ConcurrentDictionary<string, NodeDecision> Decisions = new(StringComparer.Ordinal);
        public NodeDecision? Chosen;
    }

    public Status? PreFilter(CycleState state, PodInfo pod, Snapshot snapshot)
    {
        if (pod.ClaimNames.Count == 0) return Status.SkipStatus;
        var bound = new List<PersistentVolumeClaim>();
        var delayed = new List<(PersistentVolumeClaim, Api.Models.Storage.V1.StorageClass?)>();
        foreach (var name in pod.ClaimNames)
        {
            var claim = lister.GetClaim(pod.Namespace, name);
            if (claim is null) return Status.Unresolvable($"persistentvolumeclaim \"{name}\" not found");
            if (claim.Metadata?.DeletionTimestamp is not null) return Status.Unresolvable($"persistentvolumeclaim \"{name}\" is being deleted");
            if (!string.IsNullOrEmpty(claim.Spec?.VolumeName)) { bound.Add(claim); continue; }
            var cls = claim.Spec?.StorageClassName is { Length: > 0 } cn ? lister.GetStorageClass(cn) : null;
            if (cls?.VolumeBindingMode != "WaitForFirstConsumer") return Status.Unresolvable(ReasonUnboundImmediate);
            delayed.Add((claim, cls));
        }
        state.Write(Key, new State { Bound = bound, Delayed = delayed });
        return null;
    }

    public Status? Filter(CycleState state, PodInfo pod, NodeInfo node)
    {
        if (state.Read<State>(Key) is not { } s) return null;
        foreach (var claim in s.Bound)
        {
            var pv = lister.GetVolume(claim.Spec!.VolumeName!);
            if (pv is null || !VolumeAllowsNode(pv, node)) return Status.Unresolvable(ReasonNodeConflict);
        }
        if (s.Delayed.Count == 0) return null;
        var binds = new List<(PersistentVolume, PersistentVolumeClaim)>();
        var provisions = new List<PersistentVolumeClaim>();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var volumes = lister.ListVolumes();
        foreach (var (claim, cls) in s.Delayed)
        {
            var match = FindVolume(volumes, claim, node, taken);
            if (match is not null) { taken.Add(match.Metadata!.Name!); binds.Add((match, claim)); continue; }
            if (cls?.Provisioner is { Length: > 0 } p && p != NoProvisioner && ClassAllowsNode(cls, node)) { provisions.Add(claim); continue; }
            return Status.Unresolvable(ReasonBindConflict);
        }
        s.Decisions[node.Name] = new NodeDecision(binds, provisions);
        return null;
    }

    private static PersistentVolume? FindVolume(IReadOnlyList<PersistentVolume> volumes, PersistentVolumeClaim claim, NodeInfo node, HashSet<string> taken)
    {
        var want = QuantityParser.Value(claim.Spec?.Resources?.Requests?.GetValueOrDefault("storage").Value);
        var modes = claim.Spec?.AccessModes ?? [];
        var cls = claim.Spec?.StorageClassName ?? "";
        PersistentVolume? best = null;
        long bestSize = long.MaxValue;
        foreach (var pv in volumes)
        {
            var name = pv.Metadata?.Name ?? "";
            if (taken.Contains(name) || pv.Metadata?.DeletionTimestamp is not null) continue;
            if (pv.Spec?.ClaimRef is { } cr && !(cr.Namespace == claim.Metadata?.Namespace && cr.Name == claim.Metadata?.Name)) continue;
            if (pv.Status?.Phase is "Released" or "Failed") continue;
            if ((pv.Spec?.StorageClassName ?? "") != cls) continue;
            if (!modes.All(m => pv.Spec?.AccessModes?.Contains(m) == true)) continue;
            var size = QuantityParser.Value(pv.Spec?.Capacity?.GetValueOrDefault("storage").Value);
            if (size < want || !VolumeAllowsNode(pv, node)) continue;
            if (size < bestSize) { best = pv; bestSize = size; }
        }
        return best;
    }

    private static bool VolumeAllowsNode(PersistentVolume pv, NodeInfo node)
    {
        var terms = pv.Spec?.NodeAffinity?.Required?.NodeSelectorTerms;
        if (terms is null || terms.Count == 0) return true;
        return terms.Any(t => NodeAffinity.TermMatches(t, node));
    }

    private static bool ClassAllowsNode(Api.Models.Storage.V1.StorageClass cls, NodeInfo node)
    {
        if (cls.AllowedTopologies is not { Count: > 0 } topologies) return true;
        return topologies.Any(t => (t.MatchLabelExpressions ?? []).All(e =>
            e.Key is not null && node.Labels.TryGetValue(e.Key, out var v) && (e.Values ?? []).Contains(v)));
    }

    public Status? Reserve(CycleState state, PodInfo pod, string nodeName)
    {
        if (state.Read<State>(Key) is { } s && s.Decisions.TryGetValue(nodeName, out var d)) s.Chosen = d;
        return null;
    }

    public void Unreserve(CycleState state, PodInfo pod, string nodeName)
    {
        if (state.Read<State>(Key) is { } s) s.Chosen = null;
    }

    public async Task<Status?> PreBindAsync(CycleState state, PodInfo pod, string nodeName, CancellationToken ct)
    {
        if (state.Read<State>(Key)?.Chosen is not { } d) return null;
        try
        {
            foreach (var (volume, claim) in d.Binds) await api.BindVolumeAsync(volume, claim, ct).ConfigureAwait(false);
            foreach (var claim in d.Provisions) await api.SelectNodeForClaimAsync(claim, nodeName, ct).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (e is Client.Rest.ApiException or HttpRequestException)
        {
            return Status.Error($"binding volumes: {e.Message}");
        }
    }
}
