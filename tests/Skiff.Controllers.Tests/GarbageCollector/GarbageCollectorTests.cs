using Microsoft.Extensions.Logging.Abstractions;
using Skiff.Controllers.GarbageCollector;

namespace Skiff.Controllers.Tests.GarbageCollector;

/// <summary>The API as a dictionary of objects; records every write.</summary>
internal sealed class FakeApi : IGarbageCollectorApi
{
    public readonly Dictionary<string, ObjectMetadata> Objects = new(); // by uid
    public readonly List<string> Writes = [];

    public void Put(ObjectMetadata o) => Objects[o.Identity.Uid] = o;
    public bool IsKnown(string apiVersion, string kind) => kind != "Unknown";
    public bool IsNamespaced(string apiVersion, string kind) => kind != "Node";

    public Task<ObjectMetadata?> GetAsync(ObjectIdentity id, CancellationToken ct) =>
        Task.FromResult(Objects.Values.FirstOrDefault(o => o.Identity.Kind == id.Kind && o.Identity.Name == id.Name && o.Identity.Namespace == id.Namespace));

    public Task DeleteAsync(ObjectIdentity id, string propagationPolicy, CancellationToken ct)
    {
        Writes.Add($"delete {id.Name} {propagationPolicy}");
        Objects.Remove(id.Uid);
        return Task.CompletedTask;
    }

    public Task RemoveOwnerReferencesAsync(ObjectIdentity id, IReadOnlyCollection<string> ownerUids, CancellationToken ct)
    {
        Writes.Add($"unown {id.Name} {string.Join(",", ownerUids)}");
        return Task.CompletedTask;
    }

    public Task UnblockOwnerReferencesAsync(ObjectIdentity id, IReadOnlyCollection<string> ownerUids, CancellationToken ct)
    {
        Writes.Add($"unblock {id.Name} {string.Join(",", ownerUids)}");
        return Task.CompletedTask;
    }

    public Task RemoveFinalizerAsync(ObjectIdentity id, string finalizer, CancellationToken ct)
    {
        Writes.Add($"unfinalize {id.Name} {finalizer}");
        return Task.CompletedTask;
    }
}

public sealed class GarbageCollectorTests
{
    private readonly List<GraphNode> _toDelete = [];
    private readonly List<GraphNode> _toOrphan = [];
    private readonly FakeApi _api = new();
    private readonly DependencyGraph _graph;
    private readonly CollectorDecisions _decisions;

    public GarbageCollectorTests()
    {
        _graph = new DependencyGraph(_toDelete.Add, _toOrphan.Add, (_, kind) => kind != "Node");
        _decisions = new CollectorDecisions(_graph, _api, NullLogger.Instance);
    }

    private static ObjectMetadata Obj(string kind, string name, string uid, OwnerReference[]? owners = null, bool deleting = false, params string[] finalizers) =>
        new(new ObjectIdentity(kind == "Pod" ? "v1" : "apps/v1", kind, "ns", name, uid), owners ?? [], deleting, finalizers);

    private static OwnerReference Ref(string kind, string name, string uid, bool block = true) => new("apps/v1", kind, name, uid, block, true);

    [Fact]
    public void AnUnseenOwnerBecomesAVirtualNodeToVerifyAndIsRealOnceObserved()
    {
        _graph.Observe(Obj("ReplicaSet", "rs", "rs-1", [Ref("Deployment", "d", "d-1")]));
        var owner = Assert.Single(_toDelete);
        Assert.True(owner.IsVirtual);
        Assert.Equal(new ObjectIdentity("apps/v1", "Deployment", "ns", "d", "d-1"), owner.Identity);

        _graph.Observe(Obj("Deployment", "d", "d-1"));
        Assert.False(_graph.Find("d-1")!.IsVirtual);
        Assert.Single(_graph.Dependents(_graph.Find("d-1")!));
    }

    [Fact]
    public void AnOwnerThatGoesSendsItsDependentsToBeChecked()
    {
        _graph.Observe(Obj("Deployment", "d", "d-1"));
        _graph.Observe(Obj("ReplicaSet", "rs", "rs-1", [Ref("Deployment", "d", "d-1")]));
        _toDelete.Clear();
        _graph.Remove("d-1");
        Assert.Equal("rs", Assert.Single(_toDelete).Identity.Name);
        Assert.Null(_graph.Find("d-1"));
    }

    [Fact]
    public async Task ADependentOfAnAbsentOwnerIsDeletedInTheBackground()
    {
        var rs = Obj("ReplicaSet", "rs", "rs-1", [Ref("Deployment", "d", "d-1")]);
        _api.Put(rs);
        _graph.Observe(rs);
        await _decisions.AttemptToDeleteAsync(_graph.Find("rs-1")!, default);
        Assert.Equal(["delete rs Background"], _api.Writes);
    }

    [Fact]
    public async Task ADependentWithALivingOwnerOnlyLosesTheDanglingReference()
    {
        var living = Obj("Deployment", "alive", "a-1");
        var rs = Obj("ReplicaSet", "rs", "rs-1", [Ref("Deployment", "gone", "g-1"), Ref("Deployment", "alive", "a-1")]);
        _api.Put(living);
        _api.Put(rs);
        _graph.Observe(living);
        _graph.Observe(rs);
        await _decisions.AttemptToDeleteAsync(_graph.Find("rs-1")!, default);
        Assert.Equal(["unown rs g-1"], _api.Writes);
    }

    [Fact]
    public async Task AnOwnerWithTheSameNameButAnotherUidIsDangling()
    {
        _api.Put(Obj("Deployment", "d", "d-2"));
        var rs = Obj("ReplicaSet", "rs", "rs-1", [Ref("Deployment", "d", "d-1")]);
        _api.Put(rs);
        _graph.Observe(rs);
        await _decisions.AttemptToDeleteAsync(_graph.Find("rs-1")!, default);
        Assert.Equal(["delete rs Background"], _api.Writes);
    }

    [Fact]
    public async Task OrphaningReleasesEveryDependentThenDropsTheFinalizer()
    {
        _graph.Observe(Obj("Deployment", "d", "d-1"));
        _graph.Observe(Obj("ReplicaSet", "a", "a-1", [Ref("Deployment", "d", "d-1")]));
        _graph.Observe(Obj("ReplicaSet", "b", "b-1", [Ref("Deployment", "d", "d-1")]));
        _graph.Observe(Obj("Deployment", "d", "d-1", deleting: true, finalizers: "orphan"));
        var owner = Assert.Single(_toOrphan);
        await _decisions.AttemptToOrphanAsync(owner, default);
        Assert.Equal(3, _api.Writes.Count);
        Assert.Contains("unown a d-1", _api.Writes);
        Assert.Contains("unown b d-1", _api.Writes);
        Assert.Equal("unfinalize d orphan", _api.Writes[^1]);
    }

    [Fact]
    public async Task ForegroundWaitsForBlockingDependentsThenFinishes()
    {
        var owner = Obj("Deployment", "d", "d-1", deleting: true, finalizers: "foregroundDeletion");
        var rs = Obj("ReplicaSet", "rs", "rs-1", [Ref("Deployment", "d", "d-1", block: true)]);
        _api.Put(owner);
        _api.Put(rs);
        _graph.Observe(Obj("Deployment", "d", "d-1"));
        _graph.Observe(rs);
        _toDelete.Clear();
        _graph.Observe(owner);
        // The dependent and the owner are both queued; the dependent's owner waits for it, so it is deleted.
        Assert.Contains(_toDelete, n => n.Identity.Name == "rs");
        await _decisions.AttemptToDeleteAsync(_graph.Find("rs-1")!, default);
        Assert.Equal(["delete rs Background"], _api.Writes);

        // While the dependent is still in the graph, the owner keeps waiting.
        await _decisions.AttemptToDeleteAsync(_graph.Find("d-1")!, default);
        Assert.Single(_api.Writes);
        _graph.Remove("rs-1");
        await _decisions.AttemptToDeleteAsync(_graph.Find("d-1")!, default);
        Assert.Equal("unfinalize d foregroundDeletion", _api.Writes[^1]);
    }

    [Fact]
    public async Task OwnersOfUnknownKindsAreNeverTreatedAsGone()
    {
        var cm = new ObjectMetadata(new ObjectIdentity("v1", "ConfigMap", "ns", "c", "c-1"),
            [new OwnerReference("example.com/v1", "Unknown", "x", "x-1", false, false)], false, []);
        _api.Put(cm);
        _graph.Observe(cm);
        await _decisions.AttemptToDeleteAsync(_graph.Find("c-1")!, default);
        Assert.Empty(_api.Writes);
    }
}
