using System.Text.Json;
using Microsoft.Extensions.Logging;
using Skiff.Api.Models.Core.V1;
using Skiff.Client;
using Skiff.Client.Informers;
using Skiff.Client.Rest;
using Skiff.Controllers.Common;

namespace Skiff.Controllers.NodeIpam;

/// <summary>
/// Node IPAM (upstream's node-ipam controller with the range allocator): every Node gets one range of
/// the cluster CIDR in spec.podCIDR and spec.podCIDRs, which its agent turns into the pod network.
/// Ranges already on Nodes are marked used at start; a deleted Node's range is free again.
/// </summary>
public sealed class NodeIpamController(KubeClient client, SharedInformerFactory informers, string clusterCidr, ILoggerFactory loggers)
{
    public async Task RunAsync(CancellationToken ct)
    {
        var log = loggers.CreateLogger("node-ipam");
        var allocator = new CidrAllocator(clusterCidr);
        var nodes = informers.For<Node, NodeList>();
        var gate = new SemaphoreSlim(1, 1);
        var workers = new KeyedWorkers<string>("node-ipam", async (name, c) =>
        {
            await gate.WaitAsync(c);
            try
            {
                if (nodes.Store.Get(null, name) is not { } node || node.Metadata?.DeletionTimestamp is not null) return;
                if (!string.IsNullOrEmpty(node.Spec?.PodCIDR)) return;
                var cidr = allocator.Allocate() ?? throw new InvalidOperationException($"the cluster CIDR {clusterCidr} has no free node range left");
                try
                {
                    var patch = new System.Text.Json.Nodes.JsonObject { ["spec"] = new System.Text.Json.Nodes.JsonObject { ["podCIDR"] = cidr, ["podCIDRs"] = new System.Text.Json.Nodes.JsonArray(cidr) } }.ToJsonString();
                    await client.Nodes.PatchAsync(null, name, PatchType.Merge, patch, new WriteOptions { FieldManager = "node-ipam-controller" }, ct: c);
                    log.LogInformation("Assigned pod CIDR {Cidr} to node {Node}", cidr, name);
                }
                catch
                {
                    allocator.Release(cidr);
                    throw;
                }
            }
            finally { gate.Release(); }
        }, log);

        nodes.AddEventHandler(new ResourceEventHandler<Node>
        {
            Added = (n, _) => { MarkUsed(n); workers.Enqueue(n.Metadata!.Name!); },
            Updated = (_, n) => { MarkUsed(n); workers.Enqueue(n.Metadata!.Name!); },
            Deleted = (n, _) =>
            {
                foreach (var cidr in Cidrs(n)) Locked(() => allocator.Release(cidr));
            },
        });
        informers.Start(ct);
        await informers.WaitForCacheSyncAsync(ct);
        await workers.RunAsync(1, ct);

        void MarkUsed(Node n)
        {
            foreach (var cidr in Cidrs(n))
                Locked(() =>
                {
                    if (!allocator.MarkUsed(cidr)) log.LogWarning("Node {Node} has pod CIDR {Cidr} outside the cluster CIDR {Cluster}", n.Metadata?.Name, cidr, clusterCidr);
                });
        }

        void Locked(Action a)
        {
            gate.Wait(ct);
            try { a(); } finally { gate.Release(); }
        }
    }

    private static IEnumerable<string> Cidrs(Node n) =>
        (n.Spec?.PodCIDRs ?? []).Append(n.Spec?.PodCIDR ?? "").Where(c => c.Length > 0).Distinct();
}
