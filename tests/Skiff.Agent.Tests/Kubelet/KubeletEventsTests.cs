using Skiff.Agent.Cri.Grpc;
using Skiff.Agent.Kubelet;
using Skiff.Agent.Kubelet.Probes;
using Skiff.Agent.Tests.Support;
using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Meta.V1;

namespace Skiff.Agent.Tests.Kubelet;

/// <summary>The pieces upstream's event messages are made of, and the prober's Unhealthy events.</summary>
public sealed class KubeletEventsTests
{
    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(1L, "1ms")]
    [InlineData(313L, "313ms")]
    [InlineData(999L, "999ms")]
    [InlineData(1_000L, "1s")]
    [InlineData(1_500L, "1.5s")]
    [InlineData(1_001L, "1.001s")]
    [InlineData(59_990L, "59.99s")]
    [InlineData(60_000L, "1m0s")]
    [InlineData(61_500L, "1m1.5s")]
    [InlineData(3_600_000L, "1h0m0s")]
    [InlineData(3_723_456L, "1h2m3.456s")]
    [InlineData(90_061_000L, "25h1m1s")]
    [InlineData(-313L, "-313ms")]
    [InlineData(-1_500L, "-1.5s")]
    [InlineData(-3_723_456L, "-1h2m3.456s")]
    public void GoDuration_prints_as_Gos_Duration_String(long milliseconds, string expected) =>
        Assert.Equal(expected, GoDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("300ms", 300L)]
    [InlineData("5m", 300_000L)]
    [InlineData("5m0s", 300_000L)]
    [InlineData("1.5h", 5_400_000L)]
    [InlineData("2h45m", 9_900_000L)]
    [InlineData("-1s", -1_000L)]
    [InlineData("1500us", 1L)]
    public void GoDuration_parses_as_Gos_ParseDuration(string text, long milliseconds) =>
        Assert.Equal(milliseconds, (long)GoDuration.Parse(text).TotalMilliseconds);

    [Theory]
    [InlineData("", "time: invalid duration \"\"")]
    [InlineData("5", "time: missing unit in duration \"5\"")]
    [InlineData("5d", "time: unknown unit \"d\" in duration \"5d\"")]
    [InlineData("m", "time: invalid duration \"m\"")]
    public void GoDuration_refuses_what_Go_refuses_with_its_message(string text, string message) =>
        Assert.Equal(message, Assert.Throws<FormatException>(() => GoDuration.Parse(text)).Message);

    [Fact]
    public void GoDuration_truncates_to_milliseconds_as_upstreams_pull_messages_do()
    {
        Assert.Equal("0s", GoDuration.Format(TimeSpan.FromTicks(9_999))); // 0.9999 ms
        Assert.Equal("313ms", GoDuration.Format(TimeSpan.FromTicks(3_139_999)));
        Assert.Equal("1.5s", GoDuration.Format(TimeSpan.FromTicks(15_009_999)));
    }

    private static Pod PodWithEveryKindOfContainer() => new()
    {
        Metadata = new ObjectMeta { Name = "web", Namespace = "shop", Uid = "u-1", ResourceVersion = "7" },
        Spec = new PodSpec
        {
            Containers = [new Container { Name = "app" }, new Container { Name = "sidecar" }],
            InitContainers = [new Container { Name = "migrate" }],
            EphemeralContainers = [new EphemeralContainer { Name = "debugger" }],
        },
    };

    [Theory]
    [InlineData("app", "spec.containers{app}")]
    [InlineData("sidecar", "spec.containers{sidecar}")]
    [InlineData("migrate", "spec.initContainers{migrate}")]
    [InlineData("debugger", "spec.ephemeralContainers{debugger}")]
    [InlineData("nosuch", "implicitly required container nosuch")]
    public void FieldPath_names_the_list_the_container_is_in(string container, string expected) =>
        Assert.Equal(expected, KubeletEvents.FieldPath(PodWithEveryKindOfContainer().Spec, container));

    [Fact]
    public void A_pod_without_a_spec_has_no_place_for_the_container_so_it_is_implicitly_required()
    {
        Assert.Null(KubeletEvents.SpecFieldPath(null, "app"));
        Assert.Equal("implicitly required container app", KubeletEvents.FieldPath(null, "app"));
    }

    [Fact]
    public void References_name_the_pod_with_the_containers_fieldPath_and_the_node_by_name_and_uid()
    {
        var pod = PodWithEveryKindOfContainer();

        var c = KubeletEvents.ContainerRef(pod, "migrate");
        Assert.Equal(("Pod", "v1", "shop", "web", "u-1", "7", "spec.initContainers{migrate}"),
            (c.Kind, c.ApiVersion, c.Namespace, c.Name, c.Uid, c.ResourceVersion, c.FieldPath));

        var p = KubeletEvents.PodRef(pod);
        Assert.Equal(("Pod", "v1", "shop", "web", "u-1", "7", (string?)null),
            (p.Kind, p.ApiVersion, p.Namespace, p.Name, p.Uid, p.ResourceVersion, p.FieldPath));

        var n = KubeletEvents.NodeRef("node-1");
        Assert.Equal(("Node", "node-1", "node-1", (string?)null, (string?)null), (n.Kind, n.Name, n.Uid, n.Namespace, n.FieldPath));

        Assert.Equal("web_shop(u-1)", KubeletEvents.PodDescription(pod));
    }

    [Theory]
    [InlineData("Ready", true, "NodeReady")]
    [InlineData("Ready", false, "NodeNotReady")]
    [InlineData("MemoryPressure", true, "NodeHasInsufficientMemory")]
    [InlineData("MemoryPressure", false, "NodeHasSufficientMemory")]
    [InlineData("DiskPressure", true, "NodeHasDiskPressure")]
    [InlineData("DiskPressure", false, "NodeHasNoDiskPressure")]
    [InlineData("PIDPressure", true, "NodeHasInsufficientPID")]
    [InlineData("PIDPressure", false, "NodeHasSufficientPID")]
    [InlineData("NetworkUnavailable", true, null)]
    [InlineData("NetworkUnavailable", false, null)]
    [InlineData(null, true, null)]
    public void ConditionEvent_is_upstreams_node_status_reason(string? type, bool isTrue, string? expected) =>
        Assert.Equal(expected, NodeStatusReporter.ConditionEvent(type, isTrue));

    [Theory]
    [InlineData(GrpcStatusCode.Unknown, "failed to resolve reference: no network", "rpc error: code = Unknown desc = failed to resolve reference: no network")]
    [InlineData(GrpcStatusCode.NotFound, "failed to pull and unpack image \"docker.io/library/nosuch:1\": not found",
        "rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/nosuch:1\": not found")]
    [InlineData(GrpcStatusCode.DeadlineExceeded, "context deadline exceeded", "rpc error: code = DeadlineExceeded desc = context deadline exceeded")]
    [InlineData(GrpcStatusCode.Cancelled, "context canceled", "rpc error: code = Canceled desc = context canceled")]
    [InlineData(GrpcStatusCode.Unavailable, "", "rpc error: code = Unavailable desc = ")]
    public void GoError_prints_a_CRI_error_as_Gos_grpc_status_does(GrpcStatusCode code, string detail, string expected) =>
        Assert.Equal(expected, KubeletEvents.GoError(new RpcException("/runtime.v1.ImageService/PullImage", code, detail)));

    /// <summary>Fails every probe with a fixed output.</summary>
    private sealed class FailingProber(string output) : IProber
    {
        public Task<ProbeOutcome> ProbeAsync(Probe probe, ProbeTarget target, TimeSpan timeout, CancellationToken ct) =>
            Task.FromResult<ProbeOutcome>((false, output));
    }

    private static (Pod, RuntimePod) Running(Container c)
    {
        var pod = new Pod { Metadata = new ObjectMeta { Name = "web", Namespace = "shop", Uid = "u-1" }, Spec = new PodSpec { Containers = [c] } };
        var rt = new RuntimePod("u-1", [new SandboxView { Id = "sb", Ready = true, Ip = "10.0.0.2" }],
            [new ContainerView { Id = "c1", Name = c.Name!, SandboxId = "sb", State = ContainerRunState.Running, StartedAt = DateTimeOffset.UtcNow }]);
        return (pod, rt);
    }

    private static ProberSet Probers() => new(
        exec: new FailingProber("cat: can't open '/tmp/healthy': No such file or directory"),
        http: new FailingProber("HTTP probe failed with statuscode: 503"),
        tcp: new FailingProber("dial tcp 10.0.0.2:5432: connect: connection refused"),
        grpc: new FailingProber("unused"));

    private static async Task<IReadOnlyList<RecordedEvent>> UnhealthyAsync(Container c, params string[] kinds)
    {
        var events = new RecordingKubeletEvents();
        await using (var probes = new ProbeManager(Probers(), _ => { }, new TestLogger<ProbeManager>(), events))
        {
            var (pod, rt) = Running(c);
            probes.Update(pod, rt);
            await Eventually.WaitAsync(() => kinds.All(k => events.All.Any(e => e.Message.StartsWith(k + " probe failed: ", StringComparison.Ordinal))),
                TimeSpan.FromSeconds(10), "an Unhealthy event from each of " + string.Join(", ", kinds));
        }
        return events.All;
    }

    [Fact]
    public async Task A_failed_liveness_or_readiness_probe_is_a_Warning_Unhealthy_on_the_container_with_the_probes_output()
    {
        var c = new Container
        {
            Name = "app",
            LivenessProbe = new Probe { Exec = new ExecAction { Command = ["cat", "/tmp/healthy"] }, PeriodSeconds = 1, FailureThreshold = 3 },
            ReadinessProbe = new Probe { HttpGet = new HTTPGetAction { Path = "/ready", Port = 8080 }, PeriodSeconds = 1 },
        };

        var events = await UnhealthyAsync(c, "Liveness", "Readiness");

        Assert.All(events, e =>
        {
            Assert.Equal(("Warning", "Unhealthy"), (e.Type, e.Reason));
            Assert.Equal(("Pod", "shop", "web", "u-1", "spec.containers{app}"),
                (e.Involved.Kind, e.Involved.Namespace, e.Involved.Name, e.Involved.Uid, e.Involved.FieldPath));
        });
        Assert.Equal(
            ["Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory", "Readiness probe failed: HTTP probe failed with statuscode: 503"],
            events.Select(e => e.Message).Distinct().Order(StringComparer.Ordinal));
    }

    /// <summary>Every probe errors: the runtime could not run it.</summary>
    private sealed class ErroringProber(string error) : IProber
    {
        public Task<ProbeOutcome> ProbeAsync(Probe probe, ProbeTarget target, TimeSpan timeout, CancellationToken ct) =>
            Task.FromResult(new ProbeOutcome(false, error, Errored: true));
    }

    [Fact]
    public async Task A_probe_that_errored_says_errored_in_its_Unhealthy_event_and_still_counts_as_a_failure()
    {
        const string error = "rpc error: code = NotFound desc = container is not running";
        var erroring = new ErroringProber(error);
        var c = new Container { Name = "app", LivenessProbe = new Probe { Exec = new ExecAction { Command = ["true"] }, PeriodSeconds = 1, FailureThreshold = 1 } };
        var events = new RecordingKubeletEvents();
        await using var probes = new ProbeManager(new ProberSet(erroring, erroring, erroring, erroring), _ => { }, new TestLogger<ProbeManager>(), events);
        var (pod, rt) = Running(c);

        probes.Update(pod, rt);
        await Eventually.WaitAsync(() => probes.FailedProbe(c, "c1") == "liveness", TimeSpan.FromSeconds(10), "the liveness probe to fail");

        Assert.Equal(("Warning", "Unhealthy", "Liveness probe errored: " + error), (events.All[0].Type, events.All[0].Reason, events.All[0].Message));
    }

    [Fact]
    public async Task A_failed_startup_probe_is_a_Warning_Unhealthy_and_liveness_waits_for_it()
    {
        var c = new Container
        {
            Name = "db",
            StartupProbe = new Probe { TcpSocket = new TCPSocketAction { Port = 5432 }, PeriodSeconds = 1, FailureThreshold = 30 },
            LivenessProbe = new Probe { Exec = new ExecAction { Command = ["pg_isready"] }, PeriodSeconds = 1 },
        };

        var events = await UnhealthyAsync(c, "Startup");

        var e = events[0];
        Assert.Equal(("Warning", "Unhealthy", "spec.containers{db}", "Startup probe failed: dial tcp 10.0.0.2:5432: connect: connection refused"),
            (e.Type, e.Reason, e.Involved.FieldPath, e.Message));
        Assert.DoesNotContain(events, x => x.Message.StartsWith("Liveness", StringComparison.Ordinal)); // it has not run: startup has not passed
    }
}
