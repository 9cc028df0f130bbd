using System.Text.Json;
using Microsoft.Extensions.Logging;
using Skiff.Api.Json;
using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Policy.V1;
using Skiff.Client;
using Skiff.Client.Informers;
using Skiff.Client.Rest;
using Skiff.Controllers.Common;
using Selector = Skiff.Api.Selectors.LabelSelector;

namespace Skiff.Controllers.Disruption;

/// <summary>
/// Keeps every PodDisruptionBudget's status current (upstream's disruption controller), which is
/// what pods/eviction consults: recomputed when the budget or any pod in its namespace changes,
/// and again when an eviction's disruptedPods entry expires.
/// </summary>
public sealed class DisruptionController(KubeClient client, SharedInformerFactory informers, ILoggerFactory loggers, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public async Task RunAsync(CancellationToken ct)
    {
        var log = loggers.CreateLogger("disruption");
        var budgets = informers.For<PodDisruptionBudget, PodDisruptionBudgetList>();
        var pods = informers.For<Pod, PodList>();
        if (!pods.Store.HasIndex(Indexers.Namespace)) pods.AddIndex(Indexers.Namespace, Indexers.ByNamespace(pods.Codec));
        if (!budgets.Store.HasIndex(Indexers.Namespace)) budgets.AddIndex(Indexers.Namespace, Indexers.ByNamespace(budgets.Codec));
        KeyedWorkers<string>? workers = null;
        workers = new KeyedWorkers<string>("disruption", async (key, c) =>
        {
            var (ns, name) = KeyedWorkers.Split(key);
            if (budgets.Store.Get(ns, name) is not { } pdb) return;
            var selected = Selected(pdb, pods.Store.ByIndex(Indexers.Namespace, ns!));
            var expected = await ExpectedFromControllersAsync(selected, c);
            var status = DisruptionBudgetMath.Compute(pdb, selected, expected, _clock.GetUtcNow());
            if (status.DisruptedPods is { Count: > 0 } d)
                workers!.EnqueueAfter(key, d.Values.Min() + DisruptionBudgetMath.DisruptedPodTimeout - _clock.GetUtcNow() + TimeSpan.FromSeconds(1));
            if (SameStatus(pdb.Status, status)) return;
            // A fresh copy, so the cached object is never changed.
            var updated = ModelJson.Deserialize<PodDisruptionBudget>(ModelJson.SerializeToUtf8Bytes(pdb))!;
            updated.Status = status;
            await client.PodDisruptionBudgets.UpdateStatusAsync(updated, ct: c);
        }, log);

        budgets.AddEventHandler(new ResourceEventHandler<PodDisruptionBudget>
        {
            Added = (b, _) => workers.Enqueue(KeyedWorkers.Key(b.Metadata!.Namespace, b.Metadata.Name!)),
            Updated = (_, b) => workers.Enqueue(KeyedWorkers.Key(b.Metadata!.Namespace, b.Metadata.Name!)),
        });
        void PodChanged(Pod p)
        {
            foreach (var b in budgets.Store.ByIndex(Indexers.Namespace, p.Metadata?.Namespace ?? ""))
                if (Selects(b, p)) workers.Enqueue(KeyedWorkers.Key(b.Metadata!.Namespace, b.Metadata.Name!));
        }
        pods.AddEventHandler(new ResourceEventHandler<Pod>
        {
            Added = (p, _) => PodChanged(p),
            Updated = (o, p) => { PodChanged(o); PodChanged(p); },
            Deleted = (p, _) => PodChanged(p),
        });
        informers.Start(ct);
        await informers.WaitForCacheSyncAsync(ct);
        await workers.RunAsync(1, ct);
    }

    private static bool Selects(PodDisruptionBudget pdb, Pod pod) =>
        pdb.Spec?.Selector is { } s && Selector.FromModel(s).Matches(pod.Metadata?.Labels);

    private static List<Pod> Selected(PodDisruptionBudget pdb, IReadOnlyList<Pod> pods) => pods.Where(p => Selects(pdb, p)).ToList();

    /// <summary>The summed replicas of the pods' controllers (a ReplicaSet owned by a Deployment counts as the Deployment),
    /// or null when some pod has no controller that has a scale.</summary>
    private async Task<int?> ExpectedFromControllersAsync(List<Pod> pods, CancellationToken ct)
    {
        var seen = new Dictionary<string, int>();
        foreach (var p in pods)
        {
            var owner = p.Metadata?.OwnerReferences?.FirstOrDefault(o => o.Controller == true);
            if (owner is null) return null;
            var ns = p.Metadata!.Namespace;
            if (seen.ContainsKey(owner.Uid!)) continue;
            switch (owner.Kind)
            {
                case "ReplicaSet":
                    var rs = await client.ReplicaSets.TryGetAsync(ns, owner.Name!, ct);
                    if (rs is null) return null;
                    var deployment = rs.Metadata?.OwnerReferences?.FirstOrDefault(o => o.Controller == true && o.Kind == "Deployment");
                    if (deployment is not null && await client.Deployments.TryGetAsync(ns, deployment.Name!, ct) is { } d)
                        seen[deployment.Uid!] = d.Spec?.Replicas ?? 1;
                    else seen[owner.Uid!] = rs.Spec?.Replicas ?? 1;
                    break;
                case "StatefulSet":
                    var sts = await client.StatefulSets.TryGetAsync(ns, owner.Name!, ct);
                    if (sts is null) return null;
                    seen[owner.Uid!] = sts.Spec?.Replicas ?? 1;
                    break;
                default:
                    return null;
            }
        }
        return seen.Values.Sum();
    }

    private static bool SameStatus(PodDisruptionBudgetStatus? a, PodDisruptionBudgetStatus b) =>
        a is not null && a.ObservedGeneration == b.ObservedGeneration && a.CurrentHealthy == b.CurrentHealthy
        && a.DesiredHealthy == b.DesiredHealthy && a.ExpectedPods == b.ExpectedPods && a.DisruptionsAllowed == b.DisruptionsAllowed
        && (a.DisruptedPods?.Count ?? 0) == (b.DisruptedPods?.Count ?? 0)
        && a.Conditions?.FirstOrDefault()?.Status == b.Conditions?.FirstOrDefault()?.Status;
}
