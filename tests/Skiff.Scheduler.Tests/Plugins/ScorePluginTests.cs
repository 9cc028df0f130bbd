using Skiff.Api.Models.Core.V1;
using Skiff.Scheduler.Framework;
using Skiff.Scheduler.Plugins;

namespace Skiff.Scheduler.Tests.Plugins;

public sealed class ScorePluginTests
{
    private static readonly CycleState State = new();

    [Fact]
    public void LeastAllocatedPrefersTheEmptierNodeAndMostAllocatedTheFuller()
    {
        var empty = Make.NodeInfo(Make.Node("empty", cpu: "4", memory: "4Gi"));
        var busy = Make.NodeInfo(Make.Node("busy", cpu: "4", memory: "4Gi"), Make.Info("a", "2", "2Gi"));
        var pod = Make.Info("p", "1", "1Gi");
        var least = new NodeResourcesFit(ScoringStrategy.LeastAllocated);
        Assert.Equal(75, least.Score(State, pod, empty));
        Assert.Equal(25, least.Score(State, pod, busy));
        var most = new NodeResourcesFit(ScoringStrategy.MostAllocated);
        Assert.Equal(25, most.Score(State, pod, empty));
        Assert.Equal(75, most.Score(State, pod, busy));
    }

    [Fact]
    public void BalancedAllocationPrefersEqualCpuAndMemoryShares()
    {
        var plugin = new NodeResourcesBalancedAllocation();
        var node = Make.NodeInfo(Make.Node("n", cpu: "4", memory: "4Gi"));
        Assert.Equal(100, plugin.Score(State, Make.Info("even", "2", "2Gi"), node));
        // cpu 100%, memory 0%: standard deviation 0.5.
        Assert.Equal(50, plugin.Score(State, Make.Info("lopsided", "4"), node));
        Assert.Equal(StatusCode.Skip, plugin.PreScore(State, Make.Info("nothing"), [node], Snapshot.Of([node]))!.Code);
    }

    [Fact]
    public void TaintTolerationScoresUntoleratedPreferNoScheduleTaintsReversed()
    {
        var plugin = new TaintToleration();
        var clean = Make.NodeInfo(Make.Node("clean"));
        var soft = Make.NodeInfo(Make.Node("soft", taints: [new Taint { Key = "a", Effect = "PreferNoSchedule" }, new Taint { Key = "b", Effect = "PreferNoSchedule" }]));
        var pod = Make.Info("p");
        long[] scores = [plugin.Score(State, pod, clean), plugin.Score(State, pod, soft)];
        Assert.Equal([0L, 2], scores);
        plugin.NormalizeScores(State, pod, scores);
        Assert.Equal([100L, 0], scores);
        var tolerant = Make.Info("t", spec: s => s.Tolerations = [new Toleration { Key = "a", Operator = "Exists", Effect = "PreferNoSchedule" }]);
        Assert.Equal(1, plugin.Score(State, tolerant, soft));
    }

    [Fact]
    public void ImageLocalityPrefersNodesWithTheImage()
    {
        var withImage = Make.Node("with");
        withImage.Status!.Images = [new ContainerImage { Names = ["docker.io/library/big:1"], SizeBytes = 500L * 1024 * 1024 }];
        var a = Make.NodeInfo(withImage);
        var b = Make.NodeInfo(Make.Node("without"));
        var snapshot = Snapshot.Of([a, b]);
        var plugin = new ImageLocality();
        var pod = Make.Info("p", spec: s => s.Containers![0].Image = "docker.io/library/big:1");
        var state = new CycleState();
        Assert.Null(plugin.PreScore(state, pod, [a, b], snapshot));
        var sa = plugin.Score(state, pod, a);
        Assert.True(sa > 0 && sa < 100, $"score {sa}");
        Assert.Equal(0, plugin.Score(state, pod, b));
        Assert.Equal("nginx:latest", ImageNames.Normalize("nginx"));
        Assert.Equal("registry:5000/app:2", ImageNames.Normalize("registry:5000/app:2"));
        Assert.Equal("registry:5000/app:latest", ImageNames.Normalize("registry:5000/app"));
    }
}
