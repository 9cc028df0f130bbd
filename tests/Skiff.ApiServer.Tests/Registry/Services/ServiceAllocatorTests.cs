using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry.Services;

namespace Skiff.ApiServer.Tests.Registry.Services;

public sealed class ServiceAllocatorTests
{
    private static JsonObject Svc(string? type = null, string? clusterIp = null, int? nodePort = null)
    {
        var port = new JsonObject { ["port"] = 80 };
        if (nodePort is { } np) port["nodePort"] = np;
        var spec = new JsonObject { ["ports"] = new JsonArray(port) };
        if (type is not null) spec["type"] = type;
        if (clusterIp is not null) spec["clusterIP"] = clusterIp;
        return new JsonObject { ["metadata"] = new JsonObject { ["name"] = "s" }, ["spec"] = spec };
    }

    [Fact]
    public void PicksAFreeAddressInsideTheRangeAndNeverTheNetworkOrBroadcast()
    {
        var a = new ServiceAllocator("10.43.0.0/29"); // 6 usable: .1-.6
        var seen = new HashSet<string>();
        for (var i = 0; i < 6; i++)
        {
            var s = Svc();
            Assert.Empty(a.Allocate(s, null));
            var ip = s["spec"]!["clusterIP"]!.GetValue<string>();
            Assert.Equal(ip, s["spec"]!["clusterIPs"]![0]!.GetValue<string>());
            Assert.True(seen.Add(ip));
            Assert.DoesNotContain(ip, new[] { "10.43.0.0", "10.43.0.7" });
        }
        var full = Svc();
        Assert.Contains("range is full", Assert.Single(a.Allocate(full, null)).Detail);
    }

    [Fact]
    public void RequestedAddressMustBeFreeAndInRange()
    {
        var a = new ServiceAllocator("10.43.0.0/16");
        Assert.Empty(a.Allocate(Svc(clusterIp: "10.43.0.10"), null));
        var taken = Assert.Single(a.Allocate(Svc(clusterIp: "10.43.0.10"), null));
        Assert.Equal("spec.clusterIPs", taken.Field);
        Assert.Equal("failed to allocate IP 10.43.0.10: provided IP is already allocated", taken.Detail);
        var outside = Assert.Single(a.Allocate(Svc(clusterIp: "10.44.0.1"), null));
        Assert.Contains("is not in the valid range. The range of valid IPs is 10.43.0.0/16", outside.Detail);
    }

    [Fact]
    public void HeadlessAndExternalNameGetNoAddress()
    {
        var a = new ServiceAllocator("10.43.0.0/16");
        var headless = Svc(clusterIp: "None");
        Assert.Empty(a.Allocate(headless, null));
        Assert.Equal("None", headless["spec"]!["clusterIP"]!.GetValue<string>());
        var external = Svc(type: "ExternalName");
        Assert.Empty(a.Allocate(external, null));
        Assert.Null(external["spec"]!["clusterIP"]);
    }

    [Fact]
    public void NodePortsAreAllocatedCheckedAndFreed()
    {
        var a = new ServiceAllocator("10.43.0.0/16", 30000, 30001);
        var first = Svc(type: "NodePort", nodePort: 30000);
        Assert.Empty(a.Allocate(first, null));
        var clash = Assert.Single(a.Allocate(Svc(type: "NodePort", nodePort: 30000), null));
        Assert.Equal(("spec.ports[0].nodePort", "provided port is already allocated"), (clash.Field, clash.Detail));
        var outOfRange = Assert.Single(a.Allocate(Svc(type: "NodePort", nodePort: 40000), null));
        Assert.Contains("The range of valid ports is 30000-30001", outOfRange.Detail);
        var auto = Svc(type: "LoadBalancer");
        Assert.Empty(a.Allocate(auto, null));
        Assert.Equal(30001, auto["spec"]!["ports"]![0]!["nodePort"]!.GetValue<int>());
        a.Release(first);
        Assert.False(a.IsPortAllocated(30000));
        Assert.Empty(a.Allocate(Svc(type: "NodePort", nodePort: 30000), null));
    }

    [Fact]
    public void AFailedAllocationReservesNothing()
    {
        var a = new ServiceAllocator("10.43.0.0/16", 30000, 30010);
        Assert.Empty(a.Allocate(Svc(type: "NodePort", nodePort: 30005), null));
        var s = Svc(type: "NodePort", clusterIp: "10.43.1.1", nodePort: 30005);
        Assert.Single(a.Allocate(s, null));
        Assert.False(a.IsIpAllocated("10.43.1.1"));
    }

    [Fact]
    public void UpdatesKeepTheOldValuesWhenNotGivenAgain()
    {
        var a = new ServiceAllocator("10.43.0.0/16");
        var old = Svc(type: "NodePort");
        Assert.Empty(a.Allocate(old, null));
        var update = Svc(type: "NodePort");
        Assert.Empty(a.Allocate(update, old));
        Assert.Equal(old["spec"]!["clusterIP"]!.GetValue<string>(), update["spec"]!["clusterIP"]!.GetValue<string>());
        Assert.Equal(old["spec"]!["ports"]![0]!["nodePort"]!.GetValue<int>(), update["spec"]!["ports"]![0]!["nodePort"]!.GetValue<int>());
    }

    [Fact]
    public void LoadMarksWhatStoredServicesHold()
    {
        var a = new ServiceAllocator("10.43.0.0/16");
        a.Load([Svc(type: "NodePort", clusterIp: "10.43.0.1", nodePort: 30080)]);
        Assert.True(a.IsIpAllocated("10.43.0.1"));
        Assert.True(a.IsPortAllocated(30080));
    }
}
