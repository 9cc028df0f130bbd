using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Storage.V1;
using Skiff.Scheduler.Framework;
using Skiff.Scheduler.Plugins;

namespace Skiff.Scheduler.Tests.Plugins;

public sealed class VolumeBindingTests
{
    private static PodInfo WithClaim(string claim) => Make.Info("p", spec: s => s.Volumes = [new Volume { Name = "v", PersistentVolumeClaim = new() { ClaimName = claim } }]);

    private static PersistentVolumeClaim Claim(string name, string? volume = null, string cls = "local") => new()
    {
        Metadata = new() { Name = name, Namespace = "default", Uid = "claim-" + name },
        Spec = new PersistentVolumeClaimSpec
        {
            VolumeName = volume,
            StorageClassName = cls,
            AccessModes = ["ReadWriteOnce"],
            Resources = new VolumeResourceRequirements { Requests = new() { ["storage"] = "1Gi" } },
        },
    };

    private static PersistentVolume LocalVolume(string name, string node, string size = "5Gi") => new()
    {
        Metadata = new() { Name = name },
        Spec = new PersistentVolumeSpec
        {
            StorageClassName = "local",
            AccessModes = ["ReadWriteOnce"],
            Capacity = new() { ["storage"] = size },
            NodeAffinity = new VolumeNodeAffinity
            {
                Required = new NodeSelector { NodeSelectorTerms = [new NodeSelectorTerm { MatchExpressions = [new() { Key = "kubernetes.io/hostname", Operator = "In", Values = [node] }] }] },
            },
        },
    };

    [Fact]
    public void MissingClaimsAndUnboundImmediateClaimsRejectThePodEverywhere()
    {
        var lister = new FakeLister();
        var plugin = new VolumeBinding(lister, new FakeApi());
        var snapshot = Snapshot.Of([Make.NodeInfo(Make.Node("a"))]);
        Assert.Equal(["persistentvolumeclaim \"data\" not found"], plugin.PreFilter(new CycleState(), WithClaim("data"), snapshot)!.Reasons);
        lister.Claims.Add(Claim("data", cls: "immediate"));
        lister.Classes.Add(new StorageClass { Metadata = new() { Name = "immediate" }, Provisioner = "x", VolumeBindingMode = "Immediate" });
        var s = plugin.PreFilter(new CycleState(), WithClaim("data"), snapshot);
        Assert.Equal(StatusCode.UnschedulableAndUnresolvable, s!.Code);
        Assert.Equal(["pod has unbound immediate PersistentVolumeClaims"], s.Reasons);
        Assert.Equal(StatusCode.Skip, plugin.PreFilter(new CycleState(), Make.Info("none"), snapshot)!.Code);
    }

    [Fact]
    public void BoundLocalVolumeTiesThePodToItsNode()
    {
        var lister = new FakeLister();
        lister.Claims.Add(Claim("data", volume: "pv-a"));
        lister.Volumes.Add(LocalVolume("pv-a", "a"));
        var plugin = new VolumeBinding(lister, new FakeApi());
        var a = Make.NodeInfo(Make.Node("a"));
        var b = Make.NodeInfo(Make.Node("b"));
        var state = new CycleState();
        Assert.Null(plugin.PreFilter(state, WithClaim("data"), Snapshot.Of([a, b])));
        Assert.Null(plugin.Filter(state, WithClaim("data"), a));
        Assert.Equal(["node(s) had volume node affinity conflict"], plugin.Filter(state, WithClaim("data"), b)!.Reasons);
    }

    [Fact]
    public async Task WaitForFirstConsumerFindsALocalVolumeOnTheNodeAndBindsItBeforeBinding()
    {
        var lister = new FakeLister();
        lister.Claims.Add(Claim("data"));
        lister.Classes.Add(new StorageClass { Metadata = new() { Name = "local" }, Provisioner = "kubernetes.io/no-provisioner", VolumeBindingMode = "WaitForFirstConsumer" });
        lister.Volumes.Add(LocalVolume("pv-b", "b"));
        lister.Volumes.Add(LocalVolume("pv-small", "a", size: "100Mi"));
        var api = new FakeApi();
        var plugin = new VolumeBinding(lister, api);
        var a = Make.NodeInfo(Make.Node("a"));
        var b = Make.NodeInfo(Make.Node("b"));
        var state = new CycleState();
        var pod = WithClaim("data");
        Assert.Null(plugin.PreFilter(state, pod, Snapshot.Of([a, b])));
        Assert.Equal(["node(s) didn't find available persistent volumes to bind"], plugin.Filter(state, pod, a)!.Reasons);
        Assert.Null(plugin.Filter(state, pod, b));
        Assert.Null(plugin.Reserve(state, pod, "b"));
        Assert.Null(await plugin.PreBindAsync(state, pod, "b", CancellationToken.None));
        Assert.Equal([("pv-b", "data")], api.VolumeBinds);
    }
}
