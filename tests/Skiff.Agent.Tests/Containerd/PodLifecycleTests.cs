using System.Diagnostics;
using System.Net;
using Skiff.Agent.Cri.Grpc;
using Skiff.Agent.Cri.V1;
using Skiff.Agent.Tests.Support;
using Xunit.Abstractions;

namespace Skiff.Agent.Tests.Containerd;

/// <summary>A pod's whole life through CRI on real containerd, runc and CNI.</summary>
[Collection(NodeCollection.Name)]
public sealed class PodLifecycleTests(NodeFixture node, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [RootFact]
    public async Task Runtime_reports_its_version_and_readiness()
    {
        var version = await node.Runtime.VersionAsync();
        Assert.Equal("containerd", version.RuntimeName);
        Assert.Equal("v1", version.RuntimeApiVersion);

        // NetworkReady needs the CNI config loaded; containerd may take a moment to notice it.
        var status = await Eventually.WaitAsync(async () =>
        {
            var s = await node.Runtime.StatusAsync();
            return s.Status.Conditions.All(c => c.Status) ? s : null;
        }, Patience, "RuntimeReady and NetworkReady");
        Assert.Contains(status.Status.Conditions, c => c.Type == "RuntimeReady");
        Assert.Contains(status.Status.Conditions, c => c.Type == "NetworkReady");
        output.WriteLine($"containerd {version.RuntimeVersion} ready in {node.ContainerdStartTime.TotalMilliseconds:0} ms");
    }

    [RootFact]
    public async Task Airgap_archives_are_imported_under_their_names()
    {
        Assert.All(node.Imported, o => Assert.True(o.Succeeded, o.Error));
        Assert.Equal(2, node.Imported.Count);
        Assert.Contains(node.Imported, o => o.Path.EndsWith("busybox.tar.gz") && o.Images.Contains("docker.io/library/busybox:latest"));
        Assert.NotNull(await node.Images.ImageStatusAsync("busybox"));
        Assert.NotNull(await node.Images.ImageStatusAsync("docker.io/library/busybox:1.35"));
        Assert.NotNull(await node.Images.ImageStatusAsync(node.Options.PauseImage));
        Assert.Null(await node.Images.ImageStatusAsync("docker.io/library/not-imported:1"));
        var images = await node.Images.ListImagesAsync();
        Assert.Contains(images, i => i.RepoTags.Contains("docker.io/library/busybox:latest"));
        var fs = await node.Images.ImageFsInfoAsync();
        Assert.NotEmpty(fs.ImageFilesystems);
    }

    [RootFact]
    public async Task A_pod_runs_logs_execs_gets_an_ip_and_is_removed()
    {
        await Eventually.WaitAsync(async () => (await node.Runtime.StatusAsync()).Status.Conditions.All(c => c.Status),
            Patience, "NetworkReady");
        var uid = Guid.NewGuid().ToString();
        var logDir = Path.Combine(node.Root, "pod-logs", $"default_web_{uid}");
        Directory.CreateDirectory(logDir);
        var sandboxConfig = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = "web", Namespace = "default", Uid = uid },
            Hostname = "web-pod",
            LogDirectory = logDir,
            Linux = new LinuxPodSandboxConfig
            {
                SecurityContext = new LinuxSandboxSecurityContext { NamespaceOptions = new NamespaceOption() },
            },
        };
        sandboxConfig.Labels["io.kubernetes.pod.name"] = "web";

        var clock = Stopwatch.StartNew();
        var sandboxId = await node.Runtime.RunPodSandboxAsync(sandboxConfig);
        output.WriteLine($"RunPodSandbox took {clock.ElapsedMilliseconds} ms");

        var sandbox = (await node.Runtime.PodSandboxStatusAsync(sandboxId)).Status;
        Assert.Equal(PodSandboxState.SandboxReady, sandbox.State);
        Assert.True(IPAddress.TryParse(sandbox.Network.Ip, out var podIp), $"pod IP '{sandbox.Network.Ip}'");
        Assert.True(IPNetwork.Parse(NodeFixture.PodSubnet).Contains(podIp), $"{podIp} is not in {NodeFixture.PodSubnet}");
        Assert.True(Directory.Exists($"/sys/class/net/{node.Bridge}"), "the CNI bridge exists");

        var containerConfig = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = "main" },
            Image = new ImageSpec { Image = "busybox" },
            Command = { "sh", "-c", "echo hello from skiff; exec sleep 3600" },
            LogPath = "main/0.log",
        };
        clock.Restart();
        var containerId = await node.Runtime.CreateContainerAsync(sandboxId, containerConfig, sandboxConfig);
        await node.Runtime.StartContainerAsync(containerId);
        output.WriteLine($"CreateContainer + StartContainer took {clock.ElapsedMilliseconds} ms");

        var status = (await node.Runtime.ContainerStatusAsync(containerId)).Status;
        Assert.Equal(ContainerState.ContainerRunning, status.State);
        Assert.Equal(Path.Combine(logDir, "main/0.log"), status.LogPath);

        // The CRI log format: "<RFC3339Nano time> stdout F <line>".
        var log = await Eventually.WaitAsync(async () =>
        {
            var text = File.Exists(status.LogPath) ? await File.ReadAllTextAsync(status.LogPath) : "";
            return text.Contains("hello from skiff") ? text : null;
        }, Patience, "the container's first log line");
        Assert.Matches(@"^\S+ stdout F hello from skiff\n", log);

        var hostname = await node.Runtime.ExecSyncAsync(containerId, ["cat", "/etc/hostname"], TimeSpan.FromSeconds(10));
        Assert.Equal(0, hostname.ExitCode);
        Assert.Equal("web-pod", hostname.Stdout.ToStringUtf8().Trim());

        var addr = await node.Runtime.ExecSyncAsync(containerId, ["ip", "-4", "addr", "show", "eth0"], TimeSpan.FromSeconds(10));
        Assert.Contains($"inet {podIp}/24", addr.Stdout.ToStringUtf8());

        var failing = await node.Runtime.ExecSyncAsync(containerId, ["sh", "-c", "echo oops >&2; exit 3"], TimeSpan.FromSeconds(10));
        Assert.Equal(3, failing.ExitCode);
        Assert.Equal("oops\n", failing.Stderr.ToStringUtf8());

        var listed = await node.Runtime.ListContainersAsync(new ContainerFilter { PodSandboxId = sandboxId });
        Assert.Equal(containerId, Assert.Single(listed).Id);
        Assert.StartsWith("http://127.0.0.1:", await node.Runtime.ExecAsync(new ExecRequest { ContainerId = containerId, Cmd = { "sh" }, Stdout = true }));

        clock.Restart();
        await node.Runtime.StopContainerAsync(containerId, gracePeriodSeconds: 2);
        var stopped = (await node.Runtime.ContainerStatusAsync(containerId)).Status;
        Assert.Equal(ContainerState.ContainerExited, stopped.State);
        await node.Runtime.RemoveContainerAsync(containerId);
        await node.Runtime.StopPodSandboxAsync(sandboxId);
        await node.Runtime.RemovePodSandboxAsync(sandboxId);
        output.WriteLine($"stop and remove took {clock.ElapsedMilliseconds} ms");

        var gone = await Assert.ThrowsAsync<RpcException>(() => node.Runtime.ContainerStatusAsync(containerId));
        Assert.Equal(GrpcStatusCode.NotFound, gone.Status);
        Assert.DoesNotContain(await node.Runtime.ListPodSandboxAsync(), s => s.Id == sandboxId);
        // The pod's network namespace is unmounted and gone from the state dir.
        Assert.DoesNotContain(Host.MountsUnder(node.Root), m => m.Contains(sandboxId[..12]) && m.Contains("netns"));
    }

    [RootFact]
    public async Task Supervisor_restarts_containerd_when_it_dies()
    {
        var pid = node.Supervisor.ProcessId ?? throw new InvalidOperationException("containerd is not running");
        var starts = node.Supervisor.Starts;
        Process.GetProcessById(pid).Kill();

        await Eventually.WaitAsync(() => node.Supervisor.Starts > starts && node.Supervisor.ProcessId is { } p && p != pid,
            Patience, "a new containerd process");
        await node.Supervisor.WaitReadyAsync(CancellationToken.None).WaitAsync(Patience);
        var version = await node.Runtime.VersionAsync();
        Assert.Equal("containerd", version.RuntimeName);
        Assert.Contains(node.SupervisorLog.Lines, l => l.Contains("containerd exited"));
    }
}

[Collection(NodeCollection.Name)]
public sealed class ExternalRuntimeTests(NodeFixture node)
{
    [RootFact]
    public async Task An_existing_cri_endpoint_is_used_as_it_is()
    {
        using var dir = new TempDir();
        var options = new AgentOptions { DataDir = dir.Path, ContainerRuntimeEndpoint = "unix://" + node.Supervisor.SocketPath };

        await using var runtime = await NodeRuntime.StartAsync(options, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, CancellationToken.None);

        Assert.Null(runtime.Supervisor);
        Assert.Equal("containerd", (await runtime.Runtime.VersionAsync()).RuntimeName);
        Assert.False(File.Exists(options.Paths.ContainerdConfig), "no containerd of Skiff's own was configured");
    }

    [Fact]
    public async Task A_missing_endpoint_fails_start_with_Unavailable()
    {
        using var dir = new TempDir();
        var options = new AgentOptions { DataDir = dir.Path, ContainerRuntimeEndpoint = "unix://" + dir.Combine("none.sock") };

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            NodeRuntime.StartAsync(options, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, CancellationToken.None));

        Assert.Equal(GrpcStatusCode.Unavailable, error.Status);
    }
}
