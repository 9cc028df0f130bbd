using Skiff.Api.Models.Core.V1;
using Skiff.Api.Taints;
using Skiff.Scheduler.Framework;
using Skiff.Scheduler.Plugins;

namespace Skiff.Scheduler.Tests.Plugins;

public sealed class FilterPluginTests
{
    private static readonly CycleState State = new();

    [Fact]
    public void NodeUnschedulableRejectsCordonedNodesUnlessTolerated()
    {
        var cordoned = Make.NodeInfo(Make.Node("n1", unschedulable: true));
        var plugin = new NodeUnschedulable();
        var s = plugin.Filter(State, Make.Info("p"), cordoned);
        Assert.Equal(StatusCode.UnschedulableAndUnresolvable, s!.Code);
        Assert.Equal(["node(s) were unschedulable"], s.Reasons);
        Assert.Null(plugin.Filter(State, Make.Info("p", spec: s => s.Tolerations = [Make.Tolerate("node.kubernetes.io/unschedulable")]), cordoned));
        Assert.Null(plugin.Filter(State, Make.Info("p"), Make.NodeInfo(Make.Node("n2"))));
    }

    [Fact]
    public void NodeNameMatchesOnlyTheNamedNode()
    {
        var plugin = new NodeName();
        var pod = Make.Info("p", spec: s => s.NodeName = "n2");
        Assert.Equal(["node(s) didn't match the requested node name"], plugin.Filter(State, pod, Make.NodeInfo(Make.Node("n1")))!.Reasons);
        Assert.Null(plugin.Filter(State, pod, Make.NodeInfo(Make.Node("n2"))));
    }

    [Fact]
    public void TaintTolerationNamesTheFirstUntoleratedTaint()
    {
        var node = Make.NodeInfo(Make.Node("n1", taints:
        [
            new Taint { Key = "soft", Effect = "PreferNoSchedule" },
            new Taint { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" },
        ]));
        var plugin = new TaintToleration();
        var s = plugin.Filter(State, Make.Info("p"), node);
        Assert.Equal(StatusCode.UnschedulableAndUnresolvable, s!.Code);
        Assert.Equal(["node(s) had untolerated taint {dedicated: gpu}"], s.Reasons);
        Assert.Null(plugin.Filter(State, Make.Info("p", spec: s => s.Tolerations = [Make.Tolerate("dedicated", "gpu")]), node));
        Assert.NotNull(plugin.Filter(State, Make.Info("p", spec: s => s.Tolerations = [Make.Tolerate("dedicated", "cpu")]), node));
        // An empty key with Exists tolerates everything.
        Assert.Null(plugin.Filter(State, Make.Info("p", spec: s => s.Tolerations = [new Toleration { Operator = "Exists" }]), node));
    }

    [Fact]
    public void NodeAffinityChecksNodeSelectorAndRequiredTerms()
    {
        var ssd = Make.NodeInfo(Make.Node("n1", labels: new() { ["disk"] = "ssd", ["gen"] = "5" }));
        var hdd = Make.NodeInfo(Make.Node("n2", labels: new() { ["disk"] = "hdd", ["gen"] = "3" }));
        var plugin = new Skiff.Scheduler.Plugins.NodeAffinity();
        var selector = Make.Info("p", spec: s => s.NodeSelector = new() { ["disk"] = "ssd" });
        Assert.Null(plugin.Filter(State, selector, ssd));
        var s = plugin.Filter(State, selector, hdd);
        Assert.Equal(StatusCode.UnschedulableAndUnresolvable, s!.Code);
        Assert.Equal(["node(s) didn't match Pod's node affinity/selector"], s.Reasons);

        var terms = Make.Info("p", spec: s => s.Affinity = new Affinity
        {
            NodeAffinity = new Skiff.Api.Models.Core.V1.NodeAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = new NodeSelector
                {
                    NodeSelectorTerms =
                    [
                        new NodeSelectorTerm { MatchExpressions = [new() { Key = "gen", Operator = "Gt", Values = ["4"] }] },
                        new NodeSelectorTerm { MatchFields = [new() { Key = "metadata.name", Operator = "In", Values = ["n9"] }] },
                    ],
                },
            },
        });
        Assert.Null(plugin.Filter(State, terms, ssd));
        Assert.NotNull(plugin.Filter(State, terms, hdd));
    }

    [Fact]
    public void NodeAffinityScoresPreferredTermsByWeight()
    {
        var plugin = new Skiff.Scheduler.Plugins.NodeAffinity();
        var pod = Make.Info("p", spec: s => s.Affinity = new Affinity
        {
            NodeAffinity = new Skiff.Api.Models.Core.V1.NodeAffinity
            {
                PreferredDuringSchedulingIgnoredDuringExecution =
                [
                    new PreferredSchedulingTerm { Weight = 10, Preference = new NodeSelectorTerm { MatchExpressions = [new() { Key = "zone", Operator = "In", Values = ["a"] }] } },
                    new PreferredSchedulingTerm { Weight = 5, Preference = new NodeSelectorTerm { MatchExpressions = [new() { Key = "disk", Operator = "Exists" }] } },
                ],
            },
        });
        long[] scores =
        [
            plugin.Score(State, pod, Make.NodeInfo(Make.Node("a", labels: new() { ["zone"] = "a", ["disk"] = "x" }))),
            plugin.Score(State, pod, Make.NodeInfo(Make.Node("b", labels: new() { ["disk"] = "x" }))),
            plugin.Score(State, pod, Make.NodeInfo(Make.Node("c"))),
        ];
        Assert.Equal([15L, 5, 0], scores);
        plugin.NormalizeScores(State, pod, scores);
        Assert.Equal([100L, 33, 0], scores);
    }

    [Fact]
    public void NodePortsConflictOnTheSamePortAndProtocolWithWildcardAddresses()
    {
        static PodInfo WithPort(string name, int port, string? ip = null, string protocol = "TCP") => Make.Info(name, spec: s =>
            s.Containers![0].Ports = [new ContainerPort { ContainerPortValue = port, HostPort = port, HostIP = ip, Protocol = protocol }]);
        var node = Make.NodeInfo(Make.Node("n1"), WithPort("a", 8080, "10.0.0.1"));
        var plugin = new NodePorts();
        Assert.Equal(["node(s) didn't have free ports for the requested pod ports"], plugin.Filter(State, WithPort("b", 8080), node)!.Reasons);
        Assert.NotNull(plugin.Filter(State, WithPort("b", 8080, "10.0.0.1"), node));
        Assert.Null(plugin.Filter(State, WithPort("b", 8080, "10.0.0.2"), node));
        Assert.Null(plugin.Filter(State, WithPort("b", 8080, protocol: "UDP"), node));
        Assert.Null(plugin.Filter(State, WithPort("b", 9090), node));
    }

    [Fact]
    public void NodeResourcesFitReportsEveryShortfall()
    {
        var node = Make.NodeInfo(Make.Node("n1", cpu: "2", memory: "1Gi", pods: "2"), Make.Info("a", "1500m", "512Mi"));
        var plugin = new NodeResourcesFit();
        Assert.Null(plugin.Filter(State, Make.Info("p", "500m", "512Mi"), node));
        var s = plugin.Filter(State, Make.Info("p", "600m", "600Mi"), node);
        Assert.Equal(StatusCode.Unschedulable, s!.Code);
        Assert.Equal(["Insufficient cpu", "Insufficient memory"], s.Reasons);

        node.AddPod(Make.Info("b").WithNodeName("n1"));
        Assert.Equal(["Too many pods"], plugin.Filter(State, Make.Info("p"), node)!.Reasons);
    }

    [Fact]
    public void NodeResourcesFitCountsExtendedResources()
    {
        var n = Make.Node("n1");
        n.Status!.Allocatable!["example.com/gpu"] = "1";
        var node = Make.NodeInfo(n);
        var gpu = Make.Info("p", spec: s => s.Containers![0].Resources!.Requests!["example.com/gpu"] = "2");
        Assert.Equal(["Insufficient example.com/gpu"], new NodeResourcesFit().Filter(State, gpu, node)!.Reasons);
    }

    [Fact]
    public void RequestsIncludeInitContainersSidecarsAndOverhead()
    {
        var pod = Make.Info("p", "100m", "100Mi", spec: s =>
        {
            s.InitContainers =
            [
                new Container { Name = "init", Resources = new() { Requests = new() { ["cpu"] = "1", ["memory"] = "10Mi" } } },
                new Container { Name = "sidecar", RestartPolicy = "Always", Resources = new() { Requests = new() { ["cpu"] = "200m" } } },
            ];
            s.Overhead = new() { ["cpu"] = "50m", ["memory"] = "1Mi" };
        });
        // max(app 100m + sidecar 200m, init 1000m) + overhead 50m
        Assert.Equal(1050, pod.Requests.MilliCpu);
        Assert.Equal((100L + 1) * 1024 * 1024, pod.Requests.Memory);
        // Containers without requests count as 100m / 200Mi for spreading only.
        var empty = Make.Info("q");
        Assert.Equal(0, empty.Requests.MilliCpu);
        Assert.Equal(100, empty.NonZeroRequests.MilliCpu);
        Assert.Equal(200L * 1024 * 1024, empty.NonZeroRequests.Memory);
    }
}
