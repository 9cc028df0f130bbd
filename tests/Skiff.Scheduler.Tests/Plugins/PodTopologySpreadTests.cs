using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Meta.V1;
using Skiff.Scheduler.Framework;
using Skiff.Scheduler.Plugins;

namespace Skiff.Scheduler.Tests.Plugins;

public sealed class PodTopologySpreadTests
{
    private static readonly Dictionary<string, string> Web = new() { ["app"] = "web" };

    private static PodInfo Spread(string when, int maxSkew = 1) => Make.Info("p", labels: Web, spec: s => s.TopologySpreadConstraints =
    [
        new TopologySpreadConstraint { MaxSkew = maxSkew, TopologyKey = "zone", WhenUnsatisfiable = when, LabelSelector = new LabelSelector { MatchLabels = new(Web) } },
    ]);

    private static (NodeInfo A, NodeInfo B, NodeInfo NoZone, Snapshot Snapshot) Cluster()
    {
        var a = Make.NodeInfo(Make.Node("a", labels: new() { ["zone"] = "z1" }), Make.Info("w1", labels: Web), Make.Info("w2", labels: Web));
        var b = Make.NodeInfo(Make.Node("b", labels: new() { ["zone"] = "z2" }), Make.Info("w3", labels: Web));
        var none = Make.NodeInfo(Make.Node("c"));
        return (a, b, none, Snapshot.Of([a, b, none]));
    }

    [Fact]
    public void DoNotScheduleRejectsTheDomainThatWouldExceedMaxSkew()
    {
        var (a, b, none, snapshot) = Cluster();
        var plugin = new PodTopologySpread();
        var pod = Spread("DoNotSchedule");
        var state = new CycleState();
        Assert.Null(plugin.PreFilter(state, pod, snapshot));
        var s = plugin.Filter(state, pod, a);
        Assert.Equal(StatusCode.Unschedulable, s!.Code);
        Assert.Equal(["node(s) didn't match pod topology spread constraints"], s.Reasons);
        Assert.Null(plugin.Filter(state, pod, b));
        var missing = plugin.Filter(state, pod, none);
        Assert.Equal(StatusCode.UnschedulableAndUnresolvable, missing!.Code);
        Assert.Equal(["node(s) didn't match pod topology spread constraints (missing required label)"], missing.Reasons);

        var loose = Spread("DoNotSchedule", maxSkew: 2);
        var state2 = new CycleState();
        plugin.PreFilter(state2, loose, snapshot);
        Assert.Null(plugin.Filter(state2, loose, a));
    }

    [Fact]
    public void ScheduleAnywayScoresTheEmptierDomainHigher()
    {
        var (a, b, _, snapshot) = Cluster();
        var plugin = new PodTopologySpread();
        var pod = Spread("ScheduleAnyway");
        var state = new CycleState();
        Assert.Equal(StatusCode.Skip, plugin.PreFilter(state, pod, snapshot)!.Code);
        Assert.Null(plugin.PreScore(state, pod, [a, b], snapshot));
        long[] scores = [plugin.Score(state, pod, a), plugin.Score(state, pod, b)];
        plugin.NormalizeScores(state, pod, scores);
        Assert.True(scores[1] > scores[0], $"scores {scores[0]}, {scores[1]}");
    }
}
