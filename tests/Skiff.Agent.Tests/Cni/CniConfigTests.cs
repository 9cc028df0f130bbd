using System.Text.Json.Nodes;
using Skiff.Agent.Cni;
using Skiff.Agent.Tests.Support;

namespace Skiff.Agent.Tests.Cni;

public sealed class CniConfigTests
{
    private static readonly AgentOptions Options = new() { DataDir = "/var/lib/skiff", PodCidr = "10.42.0.0/24" };

    [Fact]
    public void The_list_is_a_bridge_with_host_local_ipam_on_the_pod_cidr_then_portmap()
    {
        var list = JsonNode.Parse(CniConfig.For(Options).Render())!;

        Assert.Equal("1.0.0", (string?)list["cniVersion"]);
        Assert.Equal("skiff", (string?)list["name"]);
        var plugins = list["plugins"]!.AsArray();
        Assert.Equal(["bridge", "portmap"], plugins.Select(p => (string?)p!["type"]));
        var bridge = plugins[0]!;
        Assert.Equal("cni0", (string?)bridge["bridge"]);
        Assert.True((bool)bridge["isGateway"]!);
        Assert.False((bool)bridge["ipMasq"]!); // PodMasquerade does it once for the node
        Assert.Equal("host-local", (string?)bridge["ipam"]!["type"]);
        Assert.Equal("10.42.0.0/24", (string?)bridge["ipam"]!["ranges"]![0]![0]!["subnet"]);
        Assert.Equal("0.0.0.0/0", (string?)bridge["ipam"]!["routes"]![0]!["dst"]);
        Assert.Equal("/var/lib/skiff/agent/cni/networks", (string?)bridge["ipam"]!["dataDir"]);
        Assert.True((bool)plugins[1]!["capabilities"]!["portMappings"]!);
    }

    [Fact]
    public void The_subnet_is_normalised_and_ipv6_routes_default_to_ipv6()
    {
        var v6 = JsonNode.Parse((CniConfig.For(Options) with { PodCidr = "fd00:42::/64" }).Render())!;
        Assert.Equal("::/0", (string?)v6["plugins"]![0]!["ipam"]!["routes"]![0]!["dst"]);
        Assert.Throws<ArgumentException>(() => (CniConfig.For(Options) with { PodCidr = "10.42.0.1" }).Render());
        Assert.Throws<InvalidOperationException>(() => CniConfig.For(Options with { PodCidr = null }));
    }

    [Fact]
    public async Task Writing_is_atomic_and_reports_whether_anything_changed()
    {
        using var dir = new TempDir();
        var config = CniConfig.For(Options);

        Assert.True(await config.WriteAsync(dir.Path, CancellationToken.None));
        Assert.False(await config.WriteAsync(dir.Path, CancellationToken.None));
        Assert.True(await (config with { PodCidr = "10.42.1.0/24" }).WriteAsync(dir.Path, CancellationToken.None));

        Assert.Equal([CniConfig.FileName], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
        Assert.Contains("10.42.1.0/24", await File.ReadAllTextAsync(dir.Combine(CniConfig.FileName)));
    }
}
