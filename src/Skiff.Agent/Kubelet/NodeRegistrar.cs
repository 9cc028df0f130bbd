using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Meta.V1;
using Skiff.Client;
using Skiff.Client.Rest;

namespace Skiff.Agent.Kubelet;

/// <summary>
/// Registers this node's Node object (upstream's registerWithAPIServer): hostname, os and arch labels,
/// --node-label labels and, on a server, the control-plane role labels; --node-taint taints on first
/// registration only (later changes are the cluster's). An existing Node keeps its taints and other
/// labels; ours are merged in. Then waits for node IPAM to give the Node its pod CIDR.
/// </summary>
public sealed class NodeRegistrar(KubeClient client, KubeletOptions options, MachineInfo machine, ILogger<NodeRegistrar> log)
{
    public Dictionary<string, string> Labels()
    {
        var labels = new Dictionary<string, string>
        {
            ["kubernetes.io/hostname"] = options.NodeName,
            ["kubernetes.io/os"] = "linux",
            ["kubernetes.io/arch"] = machine.Architecture,
            ["beta.kubernetes.io/os"] = "linux",
            ["beta.kubernetes.io/arch"] = machine.Architecture,
            ["node.kubernetes.io/instance-type"] = "skiff",
        };
        if (options.ControlPlane)
        {
            labels["node-role.kubernetes.io/control-plane"] = "true";
            labels["node-role.kubernetes.io/master"] = "true";
        }
        foreach (var (k, v) in options.NodeLabels) labels[k] = v;
        return labels;
    }

    /// <summary>Creates or adopts the Node, retrying until the API server answers. Returns the stored object.</summary>
    public async Task<Node> RegisterAsync(CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try { return await RegisterOnceAsync(ct).ConfigureAwait(false); }
            catch (Exception e) when (e is ApiException or HttpRequestException && !ct.IsCancellationRequested)
            {
                log.LogWarning("Registering node {Node} failed (retry in {Delay}): {Error}", options.NodeName, delay, e.Message);
                await Task.Delay(delay, ct).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(7).Ticks));
            }
        }
    }

    private async Task<Node> RegisterOnceAsync(CancellationToken ct)
    {
        var node = new Node
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = new ObjectMeta
            {
                Name = options.NodeName,
                Labels = Labels(),
                Annotations = new Dictionary<string, string> { ["node.alpha.kubernetes.io/ttl"] = "0", ["volumes.kubernetes.io/controller-managed-attach-detach"] = "true" },
            },
            Spec = new NodeSpec { Taints = options.NodeTaints.Count > 0 ? [.. options.NodeTaints] : null },
        };
        try
        {
            var created = await client.Nodes.CreateAsync(node, ct: ct).ConfigureAwait(false);
            log.LogInformation("Registered node {Node}", options.NodeName);
            return created;
        }
        catch (ApiException e) when (e.IsAlreadyExists || e.IsConflict)
        {
            var patch = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject([.. Labels().Select(l => KeyValuePair.Create(l.Key, (JsonNode?)JsonValue.Create(l.Value)))]) } };
            var existing = await client.Nodes.PatchAsync(null, options.NodeName, PatchType.Merge, patch.ToJsonString(),
                new WriteOptions { FieldManager = "skiff-kubelet" }, ct: ct).ConfigureAwait(false);
            log.LogInformation("Node {Node} was already registered; adopted it", options.NodeName);
            return existing;
        }
    }

    /// <summary>Polls the Node until spec.podCIDR is set (by the node IPAM controller) and returns it.</summary>
    public async Task<string> WaitForPodCidrAsync(CancellationToken ct)
    {
        var warned = false;
        var started = DateTime.UtcNow;
        while (true)
        {
            try
            {
                var node = await client.Nodes.TryGetAsync(null, options.NodeName, ct).ConfigureAwait(false);
                if (node?.Spec?.PodCIDR is { Length: > 0 } cidr) return cidr;
            }
            catch (Exception e) when (e is ApiException or HttpRequestException && !ct.IsCancellationRequested) { }
            if (!warned && DateTime.UtcNow - started > TimeSpan.FromSeconds(30))
            {
                log.LogWarning("Node {Node} still has no pod CIDR; is node IPAM running (--cluster-cidr)?", options.NodeName);
                warned = true;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
        }
    }
}
