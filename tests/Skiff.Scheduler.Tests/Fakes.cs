using Skiff.Api.Models;
using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Policy.V1;
using Skiff.Api.Models.Storage.V1;
using Skiff.Scheduler.Binding;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Tests;

/// <summary>Builders for pods and nodes as the API server would store them.</summary>
internal static class Make
{
    private static int s_uid;

    public static Pod Pod(string name, string? cpu = null, string? memory = null, string ns = "default", int priority = 0,
        Dictionary<string, string>? labels = null, string? node = null, Action<PodSpec>? spec = null)
    {
        var requests = new Dictionary<string, Quantity>();
        if (cpu is not null) requests["cpu"] = cpu;
        if (memory is not null) requests["memory"] = memory;
        var s = new PodSpec
        {
            Containers = [new Container { Name = "c", Image = "busybox", Resources = new ResourceRequirements { Requests = requests } }],
            Priority = priority,
            NodeName = node,
            SchedulerName = "default-scheduler",
        };
        spec?.Invoke(s);
        return new Pod
        {
            Metadata = new() { Name = name, Namespace = ns, Uid = $"uid-{name}-{Interlocked.Increment(ref s_uid)}", Labels = labels, CreationTimestamp = DateTimeOffset.UtcNow },
            Spec = s,
            Status = new PodStatus { Phase = "Pending" },
        };
    }

    public static PodInfo Info(string name, string? cpu = null, string? memory = null, int priority = 0, Dictionary<string, string>? labels = null,
        string? node = null, Action<PodSpec>? spec = null, string ns = "default") =>
        new(Pod(name, cpu, memory, ns, priority, labels, node, spec));

    public static Node Node(string name, string cpu = "4", string memory = "8Gi", string pods = "110", Dictionary<string, string>? labels = null,
        List<Taint>? taints = null, bool unschedulable = false)
    {
        var l = new Dictionary<string, string>(labels ?? []) { ["kubernetes.io/hostname"] = name };
        var capacity = new Dictionary<string, Quantity> { ["cpu"] = cpu, ["memory"] = memory, ["pods"] = pods };
        return new Node
        {
            Metadata = new() { Name = name, Labels = l },
            Spec = new NodeSpec { Taints = taints, Unschedulable = unschedulable },
            Status = new NodeStatus { Capacity = capacity, Allocatable = capacity },
        };
    }

    public static NodeInfo NodeInfo(Node node, params PodInfo[] pods)
    {
        var n = new NodeInfo();
        n.SetNode(node);
        foreach (var p in pods) n.AddPod(p.NodeName == n.Name ? p : p.WithNodeName(n.Name));
        return n;
    }

    public static Toleration Tolerate(string key, string? value = null, string effect = "NoSchedule") =>
        value is null ? new Toleration { Key = key, Operator = "Exists", Effect = effect } : new Toleration { Key = key, Operator = "Equal", Value = value, Effect = effect };
}

internal sealed class FakeLister : IClusterLister
{
    public Dictionary<string, Dictionary<string, string>> Namespaces { get; } = new() { ["default"] = new() { ["kubernetes.io/metadata.name"] = "default" } };
    public List<PersistentVolumeClaim> Claims { get; } = [];
    public List<PersistentVolume> Volumes { get; } = [];
    public List<StorageClass> Classes { get; } = [];
    public List<PodDisruptionBudget> Budgets { get; } = [];

    public IReadOnlyDictionary<string, string>? NamespaceLabels(string ns) => Namespaces.GetValueOrDefault(ns);
    public PersistentVolumeClaim? GetClaim(string ns, string name) => Claims.FirstOrDefault(c => c.Metadata?.Namespace == ns && c.Metadata?.Name == name);
    public PersistentVolume? GetVolume(string name) => Volumes.FirstOrDefault(v => v.Metadata?.Name == name);
    public IReadOnlyList<PersistentVolume> ListVolumes() => Volumes;
    public StorageClass? GetStorageClass(string name) => Classes.FirstOrDefault(c => c.Metadata?.Name == name);
    public IReadOnlyList<PodDisruptionBudget> ListDisruptionBudgets(string ns) => [.. Budgets.Where(b => b.Metadata?.Namespace == ns)];
}

/// <summary>Records the scheduler's API writes; <see cref="FailBindsFor"/> makes bindings of named pods fail, as a conflict would.</summary>
internal sealed class FakeApi : ISchedulerApi, IEventRecorder
{
    public List<(string Pod, string Node)> Binds { get; } = [];
    public List<(string Pod, PodCondition? Condition, string? Nominated)> StatusUpdates { get; } = [];
    public List<string> Deleted { get; } = [];
    public List<(string Pod, string Type, string Reason, string Message)> Events { get; } = [];
    public List<(string Volume, string Claim)> VolumeBinds { get; } = [];
    public HashSet<string> FailBindsFor { get; } = [];

    public Task BindAsync(PodInfo pod, string nodeName, CancellationToken ct)
    {
        if (FailBindsFor.Contains(pod.Name)) throw new Client.Rest.ApiException(new Api.Models.Meta.V1.Status { Code = 409, Reason = "Conflict", Message = "conflict" });
        lock (Binds) Binds.Add((pod.Name, nodeName));
        return Task.CompletedTask;
    }

    public Task UpdatePodStatusAsync(PodInfo pod, PodCondition? condition, string? nominatedNodeName, CancellationToken ct, bool onlyWhileUnassigned = false)
    {
        lock (StatusUpdates) StatusUpdates.Add((pod.Name, condition, nominatedNodeName));
        return Task.CompletedTask;
    }

    public Task DeletePodAsync(PodInfo pod, CancellationToken ct)
    {
        lock (Deleted) Deleted.Add(pod.Name);
        return Task.CompletedTask;
    }

    public Task BindVolumeAsync(PersistentVolume volume, PersistentVolumeClaim claim, CancellationToken ct)
    {
        VolumeBinds.Add((volume.Metadata!.Name!, claim.Metadata!.Name!));
        return Task.CompletedTask;
    }

    public Task SelectNodeForClaimAsync(PersistentVolumeClaim claim, string nodeName, CancellationToken ct) => Task.CompletedTask;

    public void Record(PodInfo regarding, string type, string reason, string message)
    {
        lock (Events) Events.Add((regarding.Name, type, reason, message));
    }
}

internal sealed class NoNominations : IPodNominator
{
    public static readonly NoNominations Instance = new();
    public IReadOnlyList<PodInfo> NominatedPodsForNode(string nodeName) => [];
}

/// <summary>A TimeProvider the test moves by hand.</summary>
internal sealed class ManualTime : TimeProvider
{
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public override DateTimeOffset GetUtcNow() => _now;
    public void Advance(TimeSpan by) => _now += by;
}
