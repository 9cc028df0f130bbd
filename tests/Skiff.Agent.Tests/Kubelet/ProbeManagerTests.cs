using Skiff.Agent.Kubelet;
using Skiff.Agent.Kubelet.Probes;
using Skiff.Agent.Tests.Support;
using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Meta.V1;

namespace Skiff.Agent.Tests.Kubelet;

public sealed class ProbeManagerTests
{
    /// <summary>Answers each probe with whatever the test sets now, and counts calls.</summary>
    private sealed class ScriptedProber : IProber
    {
        public volatile bool Ok;
        public int Calls;

        public Task<ProbeOutcome> ProbeAsync(Probe probe, ProbeTarget target, TimeSpan timeout, CancellationToken ct)
        {
            Interlocked.Increment(ref Calls);
            return Task.FromResult<ProbeOutcome>((Ok, Ok ? "" : "scripted failure"));
        }
    }

    private static (Pod, RuntimePod) PodWith(Container c)
    {
        var pod = new Pod { Metadata = new ObjectMeta { Name = "p", Namespace = "ns", Uid = "uid" }, Spec = new PodSpec { Containers = [c] } };
        var rt = new RuntimePod("uid", [new SandboxView { Id = "sb", Ready = true, Ip = "10.0.0.2" }],
            [new ContainerView { Id = "c1", Name = c.Name!, SandboxId = "sb", State = ContainerRunState.Running, StartedAt = DateTimeOffset.UtcNow }]);
        return (pod, rt);
    }

    private static ProberSet Set(IProber p) => new(p, p, p, p);

    [Fact]
    public async Task Readiness_starts_false_turns_true_on_success_and_false_after_the_failure_threshold()
    {
        var prober = new ScriptedProber { Ok = true };
        var changes = 0;
        await using var probes = new ProbeManager(Set(prober), _ => Interlocked.Increment(ref changes), new TestLogger<ProbeManager>());
        var c = new Container { Name = "main", ReadinessProbe = new Probe { Exec = new ExecAction { Command = ["true"] }, PeriodSeconds = 1, FailureThreshold = 2 } };
        var (pod, rt) = PodWith(c);

        Assert.False(probes.IsReady(c, "c1"));
        probes.Update(pod, rt);
        await Eventually.WaitAsync(() => probes.IsReady(c, "c1"), TimeSpan.FromSeconds(10), "ready");
        Assert.Equal(1, changes);

        prober.Ok = false;
        var callsAtFailure = prober.Calls;
        await Eventually.WaitAsync(() => !probes.IsReady(c, "c1"), TimeSpan.FromSeconds(10), "unready");
        Assert.True(prober.Calls - callsAtFailure >= 2, "two failures were needed");
        Assert.Equal(2, changes);

        probes.RemovePod("uid");
        Assert.False(probes.IsReady(c, "c1"));
    }

    [Fact]
    public async Task Liveness_waits_for_the_startup_probe_and_a_failure_asks_for_a_restart()
    {
        var prober = new ScriptedProber { Ok = false };
        await using var probes = new ProbeManager(Set(prober), _ => { }, new TestLogger<ProbeManager>());
        var c = new Container
        {
            Name = "main",
            StartupProbe = new Probe { Exec = new ExecAction { Command = ["true"] }, PeriodSeconds = 1, FailureThreshold = 30 },
            LivenessProbe = new Probe { Exec = new ExecAction { Command = ["true"] }, PeriodSeconds = 1, FailureThreshold = 1 },
        };
        var (pod, rt) = PodWith(c);
        probes.Update(pod, rt);

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Null(probes.FailedProbe(c, "c1")); // liveness has not run: the startup probe has not passed
        Assert.False(probes.IsStarted(c, "c1"));

        prober.Ok = true;
        await Eventually.WaitAsync(() => probes.IsStarted(c, "c1"), TimeSpan.FromSeconds(10), "started");
        prober.Ok = false;
        await Eventually.WaitAsync(() => probes.FailedProbe(c, "c1") == "liveness", TimeSpan.FromSeconds(10), "liveness failure");
    }

    [Fact]
    public void Containers_without_probes_are_ready_and_started_when_running()
    {
        var probes = new ProbeManager(Set(new ScriptedProber()), _ => { }, new TestLogger<ProbeManager>());
        var c = new Container { Name = "main" };
        Assert.True(probes.IsReady(c, "any"));
        Assert.True(probes.IsStarted(c, "any"));
        Assert.Null(probes.FailedProbe(c, "any"));
    }

    [Fact]
    public void Named_ports_resolve_through_the_container()
    {
        var c = new Container { Name = "main", Ports = [new ContainerPort { Name = "http", ContainerPortValue = 8080 }] };
        Assert.Equal(8080, PortResolver.Resolve("http", c));
        Assert.Equal(9090, PortResolver.Resolve(9090, c));
        Assert.Null(PortResolver.Resolve("grpc", c));
    }
}
