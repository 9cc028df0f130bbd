using Skiff.Agent.Containerd;
using Skiff.Agent.Tests.Support;

namespace Skiff.Agent.Tests.Containerd;

public sealed class ContainerdConfigTests
{
    private static readonly AgentOptions Options = new() { DataDir = "/var/lib/skiff" };

    [Fact]
    public void Everything_containerd_owns_is_under_the_data_dir()
    {
        var toml = ContainerdConfig.For(Options, CgroupDriver.Cgroupfs).Render();

        Assert.Contains("version = 2\n", toml);
        Assert.Contains("root = \"/var/lib/skiff/agent/containerd/root\"\n", toml);
        Assert.Contains("state = \"/var/lib/skiff/agent/containerd/state\"\n", toml);
        Assert.Contains("[grpc]\n  address = \"/var/lib/skiff/agent/containerd/containerd.sock\"\n", toml);
        Assert.Contains("[ttrpc]\n  address = \"/var/lib/skiff/agent/containerd/containerd.sock.ttrpc\"\n", toml);
        Assert.Contains("path = \"/var/lib/skiff/agent/containerd/opt\"", toml);
    }

    [Fact]
    public void The_cri_plugin_uses_skiffs_pause_runc_and_cni_dirs()
    {
        var toml = ContainerdConfig.For(Options with { CniBinDir = "/opt/cni/bin" }, CgroupDriver.Cgroupfs).Render();

        Assert.Contains("[plugins.\"io.containerd.grpc.v1.cri\"]\n  sandbox_image = \"localhost/skiff/pause:1.0\"", toml);
        Assert.Contains("stream_server_address = \"127.0.0.1\"", toml);
        Assert.Contains("[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc]\n  runtime_type = \"io.containerd.runc.v2\"", toml);
        Assert.Contains("[plugins.\"io.containerd.grpc.v1.cri\".cni]\n  bin_dir = \"/opt/cni/bin\"\n  conf_dir = \"/var/lib/skiff/agent/etc/cni/net.d\"", toml);
        Assert.Contains("SystemdCgroup = false", toml);
        Assert.Contains("Root = \"/var/lib/skiff/agent/containerd/state/runc\"", toml);
    }

    [Fact]
    public void The_cgroup_driver_follows_the_host()
    {
        Assert.Contains("SystemdCgroup = true", ContainerdConfig.For(Options, CgroupDriver.Systemd).Render());

        using var dir = new TempDir();
        Assert.Equal(CgroupDriver.Cgroupfs, CgroupDrivers.Detect(dir.Combine("missing")));
        Assert.Equal(CgroupDriver.Systemd, CgroupDrivers.Detect(dir.Path));
    }

    [Fact]
    public void Paths_are_quoted_as_toml_strings()
    {
        Assert.Equal("\"/a b/c\"", ContainerdConfig.Quote("/a b/c"));
        Assert.Equal("\"x\\\"y\\\\z\\n\"", ContainerdConfig.Quote("x\"y\\z\n"));
        Assert.Equal("\"\\u0001\"", ContainerdConfig.Quote("\u0001"));
    }

    [Fact]
    public void An_external_runtime_endpoint_replaces_skiffs_socket()
    {
        Assert.Equal("/var/lib/skiff/agent/containerd/containerd.sock", Options.Paths.CriSocket);
        Assert.Equal("/run/containerd/containerd.sock",
            (Options with { ContainerRuntimeEndpoint = "unix:///run/containerd/containerd.sock" }).Paths.CriSocket);
    }
}

public sealed class HostCapabilitiesTests
{
    [Theory]
    [InlineData("000001ffffffffff", true)]
    [InlineData("000001fffeffffff", false)] // CAP_SYS_RESOURCE (bit 24) dropped, as on this project's machines
    public void Oom_score_adj_can_be_lowered_only_with_CAP_SYS_RESOURCE(string capEff, bool expected)
    {
        using var dir = new TempDir();
        var status = dir.Combine("status");
        File.WriteAllText(status, $"Name:\tx\nCapPrm:\t{capEff}\nCapEff:\t{capEff}\n");
        Assert.Equal(expected, HostCapabilities.CanLowerOomScoreAdj(status));

        var config = ContainerdConfig.For(new AgentOptions { DataDir = "/d" }, CgroupDriver.Cgroupfs) with { RestrictOomScoreAdj = !expected };
        Assert.Contains($"restrict_oom_score_adj = {(expected ? "false" : "true")}", config.Render());
    }
}
