using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Skiff.Agent.Cri;
using Skiff.Agent.Kubelet.Eviction;
using Skiff.Api.Json;
using Skiff.Api.Models;
using Skiff.Api.Models.Core.V1;
using Skiff.Client;
using Skiff.Client.Rest;

namespace Skiff.Agent.Kubelet;

/// <summary>The live readings node conditions are computed from.</summary>
public sealed record NodeReadings
{
    /// <summary>The pressure conditions the eviction manager holds (MemoryPressure, DiskPressure, PIDPressure).</summary>
    public IReadOnlySet<string> Pressure { get; init; } = new HashSet<string>();
    /// <summary>Null when the runtime is ready and its network too; else why not.</summary>
    public string? RuntimeProblem { get; init; }
}

/// <summary>
/// Computes and reports the node's status (upstream's node status manager): capacity and allocatable
/// (capacity less the hard eviction thresholds of memory.available and nodefs.available: by default 100Mi and 10%),
/// addresses, nodeInfo, daemon endpoints and the Ready, MemoryPressure, DiskPressure and PIDPressure
/// conditions (the pressure ones as the eviction manager holds them). Checked every update period, written when
/// something other than heartbeats changed or the report period passed (the Lease is the liveness signal). A condition that changed (or is reported for the
/// first time since the kubelet started) is an event on the Node, as upstream's ("Node n1 status is now: NodeReady").
/// Runs on one task.
/// </summary>
public sealed class NodeStatusReporter(KubeClient client, RuntimeServiceClient runtime, KubeletOptions options, MachineInfo machine,
    string hostIp, ILogger<NodeStatusReporter> log, IKubeletEvents? events = null, Func<IReadOnlySet<string>>? pressure = null)
{
    private NodeStatus? _lastSent;
    private DateTimeOffset _lastSentAt;
    private string? _runtimeVersion;

    public async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(options.NodeStatusUpdateFrequency);
        do
        {
            try { await ReportAsync(ct).ConfigureAwait(false); }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e) { log.LogWarning("Updating the status of node {Node} failed: {Error}", options.NodeName, e.Message); }
        } while (await Wait(timer, ct).ConfigureAwait(false));
    }

    /// <summary>Reads, computes and (if needed) writes the status once.</summary>
    public async Task ReportAsync(CancellationToken ct)
    {
        var readings = await ReadAsync(ct).ConfigureAwait(false);
        var now = DateTimeOffset.UtcNow;
        var status = Compute(readings, _lastSent, now);
        if (_lastSent is not null && Same(status, _lastSent) && now - _lastSentAt < options.NodeStatusReportFrequency) return;
        var patch = new JsonObject { ["status"] = ModelJson.SerializeToNode(status) };
        await client.Nodes.PatchAsync(null, options.NodeName, PatchType.Merge, patch.ToJsonString(),
            new WriteOptions { FieldManager = "skiff-kubelet" }, subresource: "status", ct: ct).ConfigureAwait(false);
        if (_lastSent is null || Ready(_lastSent) != Ready(status))
            log.LogInformation("Node {Node} is {Ready}", options.NodeName, Ready(status) == "True" ? "Ready" : $"NotReady ({readings.RuntimeProblem})");
        RecordTransitions(_lastSent, status);
        _lastSent = status;
        _lastSentAt = now;
    }

    private void RecordTransitions(NodeStatus? previous, NodeStatus current)
    {
        if (events is null) return;
        foreach (var c in current.Conditions ?? [])
        {
            if (previous?.Conditions?.FirstOrDefault(p => p.Type == c.Type)?.Status == c.Status) continue;
            if (ConditionEvent(c.Type, c.Status == "True") is { } reason)
                events.Record(KubeletEvents.NodeRef(options.NodeName), EventTypes.Normal, reason, $"Node {options.NodeName} status is now: {reason}");
        }
    }

    /// <summary>Upstream's node status event reasons for a condition's new value.</summary>
    public static string? ConditionEvent(string? type, bool isTrue) => type switch
    {
        "Ready" => isTrue ? "NodeReady" : "NodeNotReady",
        "MemoryPressure" => isTrue ? "NodeHasInsufficientMemory" : "NodeHasSufficientMemory",
        "DiskPressure" => isTrue ? "NodeHasDiskPressure" : "NodeHasNoDiskPressure",
        "PIDPressure" => isTrue ? "NodeHasInsufficientPID" : "NodeHasSufficientPID",
        _ => null,
    };

    private async Task<NodeReadings> ReadAsync(CancellationToken ct)
    {
        string? problem = null;
        try
        {
            _runtimeVersion ??= await RuntimeVersionAsync(ct).ConfigureAwait(false);
            var st = await runtime.StatusAsync(ct: ct).ConfigureAwait(false);
            foreach (var c in st.Status.Conditions.Where(c => !c.Status))
                problem = c.Type == "NetworkReady"
                    ? $"container runtime network not ready: NetworkReady=false reason:{c.Reason} message:{c.Message}"
                    : $"container runtime is down: {c.Type}=false reason:{c.Reason} message:{c.Message}";
        }
        catch (Exception e) when (e is not OperationCanceledException) { problem = $"container runtime is down: {e.Message}"; }
        return new NodeReadings { Pressure = pressure?.Invoke() ?? new HashSet<string>(), RuntimeProblem = problem };
    }

    private async Task<string> RuntimeVersionAsync(CancellationToken ct)
    {
        var v = await runtime.VersionAsync(ct).ConfigureAwait(false);
        return $"{v.RuntimeName}://{v.RuntimeVersion.TrimStart('v')}";
    }

    /// <summary>The status for <paramref name="readings"/>; transition times carry over from <paramref name="previous"/>.</summary>
    public NodeStatus Compute(NodeReadings readings, NodeStatus? previous, DateTimeOffset now)
    {
        var capacity = new Dictionary<string, Quantity>
        {
            ["cpu"] = machine.Cpus.ToString(CultureInfo.InvariantCulture),
            ["memory"] = $"{machine.MemoryBytes / 1024}Ki",
            ["ephemeral-storage"] = $"{machine.EphemeralStorageBytes / 1024}Ki",
            ["pods"] = options.MaxPods.ToString(CultureInfo.InvariantCulture),
            ["hugepages-1Gi"] = "0",
            ["hugepages-2Mi"] = "0",
        };
        var allocatable = new Dictionary<string, Quantity>(capacity)
        {
            ["memory"] = $"{AllocatableMemory(machine, options) / 1024}Ki",
            ["ephemeral-storage"] = Math.Max(0, machine.EphemeralStorageBytes -
                NodePressureEvictor.Reserved(options.EvictionHard, EvictionSignals.NodeFsAvailable, machine.EphemeralStorageBytes)).ToString(CultureInfo.InvariantCulture),
        };
        var conditions = new List<NodeCondition>
        {
            Condition("MemoryPressure", readings.Pressure.Contains("MemoryPressure"),
                "KubeletHasSufficientMemory", "kubelet has sufficient memory available", "KubeletHasInsufficientMemory", "kubelet has insufficient memory available"),
            Condition("DiskPressure", readings.Pressure.Contains("DiskPressure"),
                "KubeletHasNoDiskPressure", "kubelet has no disk pressure", "KubeletHasDiskPressure", "kubelet has disk pressure"),
            Condition("PIDPressure", readings.Pressure.Contains("PIDPressure"),
                "KubeletHasSufficientPID", "kubelet has sufficient PID available", "KubeletHasInsufficientPID", "kubelet has insufficient PID available"),
            readings.RuntimeProblem is null
                ? new NodeCondition { Type = "Ready", Status = "True", Reason = "KubeletReady", Message = "kubelet is posting ready status" }
                : new NodeCondition { Type = "Ready", Status = "False", Reason = "KubeletNotReady", Message = readings.RuntimeProblem },
        };
        foreach (var c in conditions)
        {
            c.LastHeartbeatTime = now;
            var prev = previous?.Conditions?.FirstOrDefault(p => p.Type == c.Type);
            c.LastTransitionTime = prev is not null && prev.Status == c.Status ? prev.LastTransitionTime : now;
        }
        return new NodeStatus
        {
            Capacity = capacity,
            Allocatable = allocatable,
            Conditions = conditions,
            Addresses = [new NodeAddress { Type = "InternalIP", Address = hostIp }, new NodeAddress { Type = "Hostname", Address = machine.Hostname }],
            DaemonEndpoints = new NodeDaemonEndpoints { KubeletEndpoint = new DaemonEndpoint { Port = options.KubeletPort } },
            NodeInfo = new NodeSystemInfo
            {
                MachineID = machine.MachineId,
                SystemUUID = machine.SystemUuid,
                BootID = machine.BootId,
                KernelVersion = machine.KernelVersion,
                OsImage = machine.OsImage,
                ContainerRuntimeVersion = _runtimeVersion ?? "",
                KubeletVersion = options.KubeletVersion,
                KubeProxyVersion = "",
                OperatingSystem = "linux",
                Architecture = machine.Architecture,
            },
        };
    }

    /// <summary>Memory capacity less the memory.available hard threshold: what pods may be given.</summary>
    public static long AllocatableMemory(MachineInfo machine, KubeletOptions options) =>
        Math.Max(0, machine.MemoryBytes - NodePressureEvictor.Reserved(options.EvictionHard, EvictionSignals.MemoryAvailable, machine.MemoryBytes));

    private static NodeCondition Condition(string type, bool pressure, string okReason, string okMessage, string badReason, string badMessage) =>
        new() { Type = type, Status = pressure ? "True" : "False", Reason = pressure ? badReason : okReason, Message = pressure ? badMessage : okMessage };

    private static string? Ready(NodeStatus s) => s.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status;

    /// <summary>Equal apart from heartbeat times.</summary>
    private static bool Same(NodeStatus a, NodeStatus b)
    {
        static string Key(NodeStatus s)
        {
            var copy = ModelJson.SerializeToNode(s).AsObject();
            foreach (var c in copy["conditions"]?.AsArray() ?? []) c!.AsObject().Remove("lastHeartbeatTime");
            return copy.ToJsonString();
        }
        return Key(a) == Key(b);
    }

    private static async Task<bool> Wait(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct).ConfigureAwait(false); }
        catch (OperationCanceledException) { return false; }
    }
}
