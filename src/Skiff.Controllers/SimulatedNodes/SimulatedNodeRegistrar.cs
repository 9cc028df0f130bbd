using Microsoft.Extensions.Logging;
using Skiff.Api.Models;
using Skiff.Api.Models.Core.V1;
using Skiff.Client;
using Skiff.Client.Rest;

namespace Skiff.Controllers.SimulatedNodes;

/// <summary>
/// Creates the simulated Node objects (or takes over existing ones of the same name): labelled
/// type=simulated, tainted kwok.x-k8s.io/node=fake:NoSchedule, with capacity and a Ready condition.
/// Stateless apart from its options; safe from any thread.
/// </summary>
public sealed class SimulatedNodeRegistrar(KubeClient client, SimulatedNodeOptions options, ILogger logger)
{
    public async Task RegisterAllAsync(CancellationToken ct)
    {
        await Parallel.ForEachAsync(Enumerable.Range(0, options.Count), new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = ct },
            async (i, c) => await RegisterAsync(i, c).ConfigureAwait(false)).ConfigureAwait(false);
        logger.LogInformation("Registered {Count} simulated nodes ({Prefix}0..{Last})", options.Count, options.NamePrefix, options.Count - 1);
    }

    private async Task RegisterAsync(int i, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var desired = Build(i);
                var existing = await client.Nodes.TryGetAsync(null, desired.Metadata!.Name!, ct).ConfigureAwait(false);
                if (existing is null)
                {
                    var created = await client.Nodes.CreateAsync(desired, ct: ct).ConfigureAwait(false);
                    created.Status = desired.Status;
                    await client.Nodes.UpdateStatusAsync(created, ct: ct).ConfigureAwait(false);
                }
                else
                {
                    existing.Status = desired.Status;
                    await client.Nodes.UpdateStatusAsync(existing, ct: ct).ConfigureAwait(false);
                }
                return;
            }
            catch (Exception e) when (e is ApiException or HttpRequestException && attempt < 5)
            {
                logger.LogDebug("Registering {Node} failed ({Error}); retrying", options.NodeName(i), e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * (attempt + 1)), ct).ConfigureAwait(false);
            }
        }
    }

    internal Node Build(int i)
    {
        var name = options.NodeName(i);
        var now = DateTimeOffset.UtcNow;
        var capacity = new Dictionary<string, Quantity>
        {
            ["cpu"] = options.Cpu,
            ["memory"] = options.Memory,
            ["pods"] = options.Pods,
            ["ephemeral-storage"] = options.EphemeralStorage,
        };
        return new Node
        {
            Metadata = new()
            {
                Name = name,
                Labels = new()
                {
                    [SimulatedNodeOptions.TypeLabel] = SimulatedNodeOptions.TypeValue,
                    ["kubernetes.io/hostname"] = name,
                    ["kubernetes.io/os"] = "linux",
                    ["kubernetes.io/arch"] = "amd64",
                    ["node.kubernetes.io/instance-type"] = "skiff-simulated",
                },
                Annotations = new() { ["node.alpha.kubernetes.io/ttl"] = "0", ["skiff.io/simulated"] = "true" },
            },
            Spec = new NodeSpec
            {
                PodCIDR = SimulatedNodeOptions.PodCidr(i),
                PodCIDRs = [SimulatedNodeOptions.PodCidr(i)],
                Taints = [new Taint { Key = SimulatedNodeOptions.TaintKey, Value = SimulatedNodeOptions.TaintValue, Effect = SimulatedNodeOptions.TaintEffect }],
            },
            Status = new NodeStatus
            {
                Capacity = capacity,
                Allocatable = new(capacity),
                Phase = "Running",
                Addresses = [new NodeAddress { Type = "InternalIP", Address = SimulatedNodeOptions.NodeIp(i) }, new NodeAddress { Type = "Hostname", Address = name }],
                Conditions =
                [
                    Condition("Ready", "True", "KubeletReady", "simulated kubelet is ready", now),
                    Condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "simulated", now),
                    Condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "simulated", now),
                    Condition("PIDPressure", "False", "KubeletHasSufficientPID", "simulated", now),
                    Condition("NetworkUnavailable", "False", "RouteCreated", "simulated", now),
                ],
                NodeInfo = new NodeSystemInfo
                {
                    Architecture = "amd64", OperatingSystem = "linux", KubeletVersion = "v1.36.0-skiff-sim", KubeProxyVersion = "",
                    ContainerRuntimeVersion = "simulated://1.0", KernelVersion = "simulated", OsImage = "Skiff simulated node",
                    BootID = "", MachineID = name, SystemUUID = name,
                },
                DaemonEndpoints = new NodeDaemonEndpoints { KubeletEndpoint = new DaemonEndpoint { Port = 10250 } },
            },
        };
    }

    private static NodeCondition Condition(string type, string status, string reason, string message, DateTimeOffset now) =>
        new() { Type = type, Status = status, Reason = reason, Message = message, LastHeartbeatTime = now, LastTransitionTime = now };
}
