using Skiff.Scheduler.Cache;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Tests.Cache;

public sealed class SchedulerCacheTests
{
    [Fact]
    public void AssumedPodsCountUntilForgottenAndAreConfirmedByTheInformer()
    {
        var cache = new SchedulerCache();
        cache.AddOrUpdateNode(Make.Node("n1", cpu: "4"));
        var snapshot = new Snapshot();
        cache.UpdateSnapshot(snapshot);
        Assert.Equal(0, snapshot.Get("n1")!.Requested.MilliCpu);

        var pod = Make.Info("p", "1");
        cache.AssumePod(pod.WithNodeName("n1"));
        Assert.True(cache.IsAssumed(pod.Uid));
        cache.UpdateSnapshot(snapshot);
        Assert.Equal(1000, snapshot.Get("n1")!.Requested.MilliCpu);

        cache.ForgetPod(pod.WithNodeName("n1"));
        cache.UpdateSnapshot(snapshot);
        Assert.Equal(0, snapshot.Get("n1")!.Requested.MilliCpu);

        // Assumed, then the informer reports it bound: counted once.
        cache.AssumePod(pod.WithNodeName("n1"));
        var bound = Make.Pod("p", "1", node: "n1");
        bound.Metadata!.Uid = pod.Uid;
        cache.AddOrUpdatePod(bound);
        Assert.False(cache.IsAssumed(pod.Uid));
        cache.UpdateSnapshot(snapshot);
        Assert.Equal(1000, snapshot.Get("n1")!.Requested.MilliCpu);
        Assert.Single(snapshot.Get("n1")!.Pods);

        cache.RemovePod(bound);
        cache.UpdateSnapshot(snapshot);
        Assert.Empty(snapshot.Get("n1")!.Pods);
    }

    [Fact]
    public void SnapshotsAreIndependentCopiesRefreshedOnlyWhereNodesChanged()
    {
        var cache = new SchedulerCache();
        cache.AddOrUpdateNode(Make.Node("a"));
        cache.AddOrUpdateNode(Make.Node("b"));
        var snapshot = new Snapshot();
        cache.UpdateSnapshot(snapshot);
        var before = snapshot.Get("b");
        cache.AddOrUpdatePod(Make.Pod("p", "1", node: "a"));
        cache.UpdateSnapshot(snapshot);
        Assert.Same(before, snapshot.Get("b"));
        Assert.Single(snapshot.Get("a")!.Pods);

        // A cycle that changes its copy (preemption's what-ifs use clones, but even so) leaves the cache alone.
        snapshot.Get("a")!.RemovePod(snapshot.Get("a")!.Pods[0].Uid);
        var fresh = new Snapshot();
        cache.UpdateSnapshot(fresh);
        Assert.Single(fresh.Get("a")!.Pods);

        cache.RemoveNode("b");
        cache.UpdateSnapshot(snapshot);
        Assert.Null(snapshot.Get("b"));
        Assert.Single(snapshot.Nodes);
    }

    [Fact]
    public void PodsOnANodeNotYetSeenAreKeptUntilTheNodeArrives()
    {
        var cache = new SchedulerCache();
        cache.AddOrUpdatePod(Make.Pod("early", "2", node: "late"));
        var snapshot = new Snapshot();
        cache.UpdateSnapshot(snapshot);
        Assert.Empty(snapshot.Nodes);
        cache.AddOrUpdateNode(Make.Node("late", cpu: "4"));
        cache.UpdateSnapshot(snapshot);
        Assert.Equal(2000, snapshot.Get("late")!.Requested.MilliCpu);
    }
}
