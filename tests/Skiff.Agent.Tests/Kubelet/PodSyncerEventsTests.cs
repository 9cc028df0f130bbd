using Skiff.Agent.Cri.Grpc;
using Skiff.Agent.Kubelet;
using Skiff.Agent.Kubelet.Probes;
using Skiff.Agent.Tests.Support;
using Skiff.Agent.Volumes;
using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Meta.V1;
using Xunit.Abstractions;
using Container = Skiff.Api.Models.Core.V1.Container;
using VolumeMount = Skiff.Agent.Volumes.VolumeMount;

namespace Skiff.Agent.Tests.Kubelet;

/// <summary>One event as a kubelet component recorded it.</summary>
public sealed record RecordedEvent(ObjectReference Involved, string Type, string Reason, string Message)
{
    public override string ToString() => $"{Type} {Reason} [{Involved.Kind} {Involved.Namespace}/{Involved.Name} {Involved.FieldPath}] {Message}";
}

/// <summary>Keeps every event in the order recorded; <see cref="Take"/> hands over those recorded since the last call. Thread-safe.</summary>
public sealed class RecordingKubeletEvents : IKubeletEvents
{
    private readonly Lock _lock = new();
    private readonly List<RecordedEvent> _events = [];
    private int _taken;

    public void Record(ObjectReference involved, string type, string reason, string message)
    {
        lock (_lock) _events.Add(new RecordedEvent(involved, type, reason, message));
    }

    public IReadOnlyList<RecordedEvent> All
    {
        get { lock (_lock) return _events.ToList(); }
    }

    public IReadOnlyList<RecordedEvent> Take()
    {
        lock (_lock)
        {
            var since = _events.Skip(_taken).ToList();
            _taken = _events.Count;
            return since;
        }
    }
}

/// <summary>
/// The events a real <see cref="PodSyncer"/> records while it runs pods on <see cref="FakeCri"/>: upstream's reasons,
/// types and messages, on the pod or on the container (involvedObject.fieldPath), in the order the kubelet acts.
/// </summary>
public sealed class PodSyncerEventsTests(ITestOutputHelper output)
{
    internal const string Uid = "7c4e0b2a-uid";
    internal const string Image = "busybox:1.36";
    private const string Pulled = "Container image \"busybox:1.36\" already present on machine and can be accessed by the pod";

    /// <summary>Keeps the last status written.</summary>
    internal sealed class StatusWriter : IPodStatusWriter
    {
        public PodStatus? Last { get; private set; }

        public Task WriteAsync(Pod pod, PodStatus status, CancellationToken ct)
        {
            Last = status;
            return Task.CompletedTask;
        }
    }

    internal sealed class Deleter : IPodDeleter
    {
        public List<Pod> Deleted { get; } = [];

        public Task DeleteAsync(Pod pod, CancellationToken ct)
        {
            lock (Deleted) Deleted.Add(pod);
            return Task.CompletedTask;
        }
    }

    private sealed class NoConfig : IConfigSource
    {
        public Task<ConfigMap?> GetConfigMapAsync(string ns, string name, CancellationToken ct) => Task.FromResult<ConfigMap?>(null);
        public Task<Secret?> GetSecretAsync(string ns, string name, CancellationToken ct) => Task.FromResult<Secret?>(null);
    }

    /// <summary>No volumes; or, when <see cref="Failure"/> is set, a setup that fails with it.</summary>
    internal sealed class Volumes : IVolumeManager
    {
        public VolumeSetupException? Failure { get; set; }

        public Task<IReadOnlyList<VolumeMount>> SetUpAsync(Pod pod, CancellationToken ct) =>
            Failure is { } f ? Task.FromException<IReadOnlyList<VolumeMount>>(f) : Task.FromResult<IReadOnlyList<VolumeMount>>([]);

        public Task TearDownAsync(Pod pod, CancellationToken ct) => Task.CompletedTask;
    }

    private sealed class NeverProbed : IProber
    {
        public Task<ProbeOutcome> ProbeAsync(Probe probe, ProbeTarget target, TimeSpan timeout, CancellationToken ct) =>
            throw new InvalidOperationException("these pods have no probes");
    }

    /// <summary>A PodSyncer on a FakeCri that has busybox:1.36, with a crash backoff (10 s, doubling) on a clock the test moves.</summary>
    internal sealed class Harness : IAsyncDisposable
    {
        private readonly TempDir _dir = new("skiff-podsyncer-events");
        private readonly HttpProber _http = new();
        private ProbeManager _probes = null!;

        public FakeCri Cri { get; private set; } = null!;
        public ManualTime Time { get; } = new(DateTimeOffset.UtcNow);
        public RecordingKubeletEvents Events { get; } = new();
        public Volumes Volumes { get; } = new();
        public Deleter Deleter { get; } = new();
        public PodWorkerState State { get; } = new();
        public StatusWriter Statuses { get; } = new();
        public PodSyncer Syncer { get; private set; } = null!;

        public static async Task<Harness> StartAsync(ITestOutputHelper output, Skiff.Agent.Kubelet.Cgroups.IPodCgroups? cgroups = null,
            Skiff.Agent.Kubelet.Eviction.Evictions? evictions = null,
            Func<Pod, Skiff.Agent.Kubelet.Eviction.AdmissionRejection?>? admit = null)
        {
            var h = new Harness();
            h.Cri = await FakeCri.StartAsync();
            h.Cri.Images.Add(Image);
            var loggers = new TestLoggerFactory(output);
            var never = new NeverProbed();
            h._probes = new ProbeManager(new ProberSet(never, never, never, never), _ => { }, new TestLogger<ProbeManager>(), h.Events);
            h.Syncer = new PodSyncer(
                h.Cri.Runtime,
                new ImageManager(h.Cri.ImageService, new Backoff(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), h.Time), new TestLogger<ImageManager>(), h.Events),
                new EnvBuilder(new NoConfig()),
                h.Volumes,
                h._probes,
                new LifecycleHookRunner(h.Cri.Runtime, h._http),
                new StatusManager(h.Statuses, new TestLogger<StatusManager>()),
                h.Deleter,
                new Backoff(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), h.Time),
                new AgentPaths(new AgentOptions { DataDir = h._dir.Path }),
                () => new NodeFacts("192.168.1.10", 2, 2L << 30),
                new Microsoft.Extensions.Logging.Logger<PodSyncer>(loggers),
                h.Events,
                cgroups,
                evictions,
                admit);
            return h;
        }

        public async Task<SyncOutcome> SyncAsync(Pod pod)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            return await Syncer.SyncAsync(Uid, pod, State, timeout.Token);
        }

        public async ValueTask DisposeAsync()
        {
            await _probes.DisposeAsync();
            _http.Dispose();
            await Cri.DisposeAsync();
            _dir.Dispose();
        }
    }

    internal static Container C(string name) => new() { Name = name, Image = Image, ImagePullPolicy = "IfNotPresent" };

    internal static Pod PodOf(Container[] containers, Container[]? init = null) => new()
    {
        Metadata = new ObjectMeta { Name = "web", Namespace = "shop", Uid = Uid, ResourceVersion = "42" },
        Spec = new PodSpec { Containers = [.. containers], InitContainers = init is null ? null : [.. init], RestartPolicy = "Always", TerminationGracePeriodSeconds = 1 },
    };

    /// <summary>The events as (type, reason, fieldPath, message), after checking every one is about this pod.</summary>
    private static List<(string Type, string Reason, string? FieldPath, string Message)> Shape(IReadOnlyList<RecordedEvent> events)
    {
        foreach (var e in events)
        {
            Assert.Equal("Pod", e.Involved.Kind);
            Assert.Equal("v1", e.Involved.ApiVersion);
            Assert.Equal("shop", e.Involved.Namespace);
            Assert.Equal("web", e.Involved.Name);
            Assert.Equal(Uid, e.Involved.Uid);
            Assert.Equal("42", e.Involved.ResourceVersion);
        }
        return events.Select(e => (e.Type, e.Reason, e.Involved.FieldPath, e.Message)).ToList();
    }

    private static (string, string, string?, string)[] Runs(string fieldPath) =>
    [
        ("Normal", "Pulled", fieldPath, Pulled),
        ("Normal", "Created", fieldPath, "Container created"),
        ("Normal", "Started", fieldPath, "Container started"),
    ];

    [Fact]
    public async Task A_container_whose_image_is_present_is_Pulled_Created_and_Started_in_that_order_on_its_fieldPath()
    {
        await using var h = await Harness.StartAsync(output);

        await h.SyncAsync(PodOf([C("app")]));

        Assert.Equal(Runs("spec.containers{app}"), Shape(h.Events.Take()));
        Assert.Equal(1, h.Cri.Running("app"));

        await h.SyncAsync(PodOf([C("app")]));
        Assert.Empty(h.Events.Take()); // nothing to do, nothing to say
    }

    [Fact]
    public async Task Init_containers_are_reported_on_spec_initContainers_and_the_containers_after_them()
    {
        await using var h = await Harness.StartAsync(output);
        var pod = PodOf([C("app")], init: [C("migrate")]);

        await h.SyncAsync(pod);
        Assert.Equal(Runs("spec.initContainers{migrate}"), Shape(h.Events.Take()));
        Assert.Equal(0, h.Cri.Running("app"));

        h.Cri.Exit("migrate", 0);
        await h.SyncAsync(pod);
        Assert.Equal(Runs("spec.containers{app}"), Shape(h.Events.Take()));
    }

    [Fact]
    public async Task A_start_the_runtime_refuses_is_a_Warning_Failed_with_the_runtime_error_after_Created_and_no_Started()
    {
        await using var h = await Harness.StartAsync(output);
        const string detail = "failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: "
            + "unable to start container process: exec: \"/bin/nosuch\": stat /bin/nosuch: no such file or directory: unknown";
        h.Cri.StartError = detail;

        await h.SyncAsync(PodOf([C("app")]));

        Assert.Equal(
            [
                ("Normal", "Pulled", "spec.containers{app}", Pulled),
                ("Normal", "Created", "spec.containers{app}", "Container created"),
                ("Warning", "Failed", "spec.containers{app}", "Error: " + detail),
            ],
            Shape(h.Events.Take()));
    }

    [Fact]
    public async Task A_sandbox_the_runtime_cannot_create_is_a_Warning_FailedCreatePodSandBox_on_the_pod_with_Gos_rpc_error()
    {
        await using var h = await Harness.StartAsync(output);
        const string detail = "failed to setup network for sandbox \"5f0c2d\": plugin type=\"bridge\" failed (add): "
            + "failed to allocate for range 0: no IP addresses available in range set: 10.42.0.1-10.42.0.254";
        h.Cri.RunSandboxError = detail;

        var error = await Assert.ThrowsAsync<RpcException>(() => h.SyncAsync(PodOf([C("app")])));
        Assert.Equal(detail, error.Detail);

        Assert.Equal(
            [("Warning", "FailedCreatePodSandBox", (string?)null, "Failed to create pod sandbox: rpc error: code = Unknown desc = " + detail)],
            Shape(h.Events.Take()));
    }

    [Fact]
    public async Task Volumes_that_cannot_be_set_up_are_a_Warning_FailedMount_on_the_pod()
    {
        await using var h = await Harness.StartAsync(output);
        h.Volumes.Failure = new VolumeSetupException("config", "configmap \"app-config\" not found");

        await Assert.ThrowsAsync<VolumeSetupException>(() => h.SyncAsync(PodOf([C("app")])));

        Assert.Equal(
            [("Warning", "FailedMount", (string?)null, "MountVolume.SetUp failed for volume \"config\" : configmap \"app-config\" not found")],
            Shape(h.Events.Take()));
    }

    [Fact]
    public async Task A_container_that_keeps_failing_is_restarted_once_then_a_Warning_BackOff_while_the_backoff_lasts()
    {
        await using var h = await Harness.StartAsync(output);
        var pod = PodOf([C("app")]);
        await h.SyncAsync(pod);
        h.Events.Take();

        // The first failure restarts at once (as upstream: the backoff starts with it).
        h.Cri.Exit("app", 1);
        await h.SyncAsync(pod);
        Assert.Equal(Runs("spec.containers{app}"), Shape(h.Events.Take()));

        // The second, within the 10 s backoff, waits: a BackOff event and no restart.
        h.Cri.Exit("app", 1);
        await h.SyncAsync(pod);
        Assert.Equal(
            [("Warning", "BackOff", "spec.containers{app}", $"Back-off restarting failed container app in pod web_shop({Uid})")],
            Shape(h.Events.Take()));
        Assert.Equal(0, h.Cri.Running("app"));

        // Once the backoff has passed, the container runs again and nothing says back-off.
        h.Time.Advance(TimeSpan.FromSeconds(30));
        await h.SyncAsync(pod);
        Assert.Equal(Runs("spec.containers{app}"), Shape(h.Events.Take()));
        Assert.Equal(1, h.Cri.Running("app"));
    }

    [Fact]
    public async Task A_sandbox_that_died_is_a_Normal_SandboxChanged_on_the_pod_then_its_containers_run_again()
    {
        await using var h = await Harness.StartAsync(output);
        var pod = PodOf([C("app")]);
        await h.SyncAsync(pod);
        h.Events.Take();

        h.Cri.KillSandbox();
        await h.SyncAsync(pod);

        Assert.Equal(
            [("Normal", "SandboxChanged", (string?)null, "Pod sandbox changed, it will be killed and re-created."), .. Runs("spec.containers{app}")],
            Shape(h.Events.Take()));
        Assert.Equal(1, h.Cri.Running("app"));
    }

    [Fact]
    public async Task A_pod_being_deleted_is_a_Normal_Killing_for_each_running_container_only()
    {
        await using var h = await Harness.StartAsync(output);
        var pod = PodOf([C("app"), C("sidecar")]);
        await h.SyncAsync(pod);
        Assert.Equal([.. Runs("spec.containers{app}"), .. Runs("spec.containers{sidecar}")], Shape(h.Events.Take()));
        h.Cri.Exit("sidecar", 0); // already stopped: nothing to kill

        var deleting = PodOf([C("app"), C("sidecar")]);
        deleting.Metadata!.DeletionTimestamp = DateTimeOffset.UtcNow;
        deleting.Metadata.DeletionGracePeriodSeconds = 1;
        var outcome = await h.SyncAsync(deleting);

        Assert.True(outcome.Finished);
        Assert.Equal([("Normal", "Killing", "spec.containers{app}", "Stopping container app")], Shape(h.Events.Take()));
        Assert.Equal(0, h.Cri.Running("app"));
        Assert.Single(h.Deleter.Deleted);
    }
}
