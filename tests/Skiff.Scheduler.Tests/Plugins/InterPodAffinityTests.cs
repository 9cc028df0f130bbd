using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Meta.V1;
using Skiff.Scheduler.Framework;
using Skiff.Scheduler.Plugins;

namespace Skiff.Scheduler.Tests.Plugins;

public sealed class InterPodAffinityTests
{
    private static readonly Dictionary<string, string> Web = new() { ["app"] = "web" };

    private static PodAffinityTerm Term(string app, string key = "kubernetes.io/hostname") =>
        new() { LabelSelector = new LabelSelector { MatchLabels = new() { ["app"] = app } }, TopologyKey = key };

    private static (InterPodAffinity Plugin, Snapshot Snapshot, NodeInfo A, NodeInfo B) Cluster(params PodInfo[] onA)
    {
        var a = Make.NodeInfo(Make.Node("a", labels: new() { ["zone"] = "z1" }), onA);
        var b = Make.NodeInfo(Make.Node("b", labels: new() { ["zone"] = "z2" }));
        return (new InterPodAffinity(new FakeLister()), Snapshot.Of([a, b]), a, b);
    }

    [Fact]
    public void RequiredAntiAffinityKeepsThePodAwayFromMatchingPods()
    {
        var (plugin, snapshot, a, b) = Cluster(Make.Info("existing", labels: Web));
        var pod = Make.Info("p", spec: s => s.Affinity = new Affinity { PodAntiAffinity = new PodAntiAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [Term("web")] } });
        var state = new CycleState();
        Assert.Null(plugin.PreFilter(state, pod, snapshot));
        var s = plugin.Filter(state, pod, a);
        Assert.Equal(StatusCode.Unschedulable, s!.Code);
        Assert.Equal(["node(s) didn't match pod anti-affinity rules"], s.Reasons);
        Assert.Null(plugin.Filter(state, pod, b));
    }

    [Fact]
    public void ExistingPodsAntiAffinityRejectsTheIncomingPod()
    {
        var guard = Make.Info("guard", spec: s => s.Affinity = new Affinity { PodAntiAffinity = new PodAntiAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [Term("web", "zone")] } });
        var (plugin, snapshot, a, b) = Cluster(guard);
        var state = new CycleState();
        var pod = Make.Info("p", labels: Web);
        Assert.Null(plugin.PreFilter(state, pod, snapshot));
        Assert.Equal(["node(s) didn't satisfy existing pods anti-affinity rules"], plugin.Filter(state, pod, a)!.Reasons);
        Assert.Null(plugin.Filter(state, pod, b));
    }

    [Fact]
    public void RequiredAffinityNeedsAMatchingPodInTheDomainExceptForTheFirstOfAGroup()
    {
        var affinity = (Action<PodSpec>)(s => s.Affinity = new Affinity { PodAffinity = new PodAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [Term("web", "zone")] } });
        var (plugin, snapshot, a, b) = Cluster(Make.Info("existing", labels: Web));
        var state = new CycleState();
        var pod = Make.Info("p", spec: affinity);
        Assert.Null(plugin.PreFilter(state, pod, snapshot));
        Assert.Null(plugin.Filter(state, pod, a));
        var s = plugin.Filter(state, pod, b);
        Assert.Equal(StatusCode.UnschedulableAndUnresolvable, s!.Code);
        Assert.Equal(["node(s) didn't match pod affinity rules"], s.Reasons);

        // No pod matches anywhere, but the pod selects itself: it may start the group.
        var (plugin2, empty, _, b2) = Cluster();
        var first = Make.Info("first", labels: Web, spec: affinity);
        var state2 = new CycleState();
        Assert.Null(plugin2.PreFilter(state2, first, empty));
        Assert.Null(plugin2.Filter(state2, first, b2));
    }

    [Fact]
    public void PreferredTermsScoreTheDomainWithMatchingPods()
    {
        var (plugin, snapshot, a, b) = Cluster(Make.Info("existing", labels: Web));
        var pod = Make.Info("p", spec: s => s.Affinity = new Affinity
        {
            PodAffinity = new PodAffinity { PreferredDuringSchedulingIgnoredDuringExecution = [new WeightedPodAffinityTerm { Weight = 50, PodAffinityTerm = Term("web", "zone") }] },
        });
        var state = new CycleState();
        Assert.Null(plugin.PreScore(state, pod, [a, b], snapshot));
        long[] scores = [plugin.Score(state, pod, a), plugin.Score(state, pod, b)];
        Assert.Equal([50L, 0], scores);
        plugin.NormalizeScores(state, pod, scores);
        Assert.Equal([100L, 0], scores);
    }

    [Fact]
    public void PreemptionCanRemoveAPodFromTheCounts()
    {
        var existing = Make.Info("existing", labels: Web);
        var (plugin, snapshot, a, _) = Cluster(existing);
        var pod = Make.Info("p", spec: s => s.Affinity = new Affinity { PodAntiAffinity = new PodAntiAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [Term("web")] } });
        var state = new CycleState();
        plugin.PreFilter(state, pod, snapshot);
        var copy = state.Clone();
        plugin.RemovePod(copy, pod, a.Pods[0], a);
        Assert.Null(plugin.Filter(copy, pod, a));
        Assert.NotNull(plugin.Filter(state, pod, a));
    }
}
