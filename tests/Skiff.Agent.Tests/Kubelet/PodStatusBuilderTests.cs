using Skiff.Agent.Kubelet;
using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Meta.V1;

namespace Skiff.Agent.Tests.Kubelet;

public sealed class PodStatusBuilderTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly SandboxView Sandbox = new() { Id = "sb", Ready = true, Ip = "10.42.0.9", CreatedAt = Now };

    private static Pod Pod(string policy = "Always", string[]? inits = null, params string[] containers) => new()
    {
        Metadata = new ObjectMeta { Name = "p", Namespace = "ns", Uid = "uid" },
        Spec = new PodSpec
        {
            RestartPolicy = policy,
            InitContainers = inits?.Select(n => new Container { Name = n, Image = "busybox" }).ToList(),
            Containers = (containers.Length == 0 ? ["main"] : containers).Select(n => new Container { Name = n, Image = "busybox" }).ToList(),
        },
        Status = new PodStatus(),
    };

    private static ContainerView Running(string name, int attempt = 0) =>
        new() { Id = $"{name}-{attempt}", Name = name, SandboxId = "sb", Attempt = attempt, State = ContainerRunState.Running, StartedAt = Now };

    private static ContainerView Exited(string name, int exit, int attempt = 0, string? reason = null) =>
        new() { Id = $"{name}-{attempt}", Name = name, SandboxId = "sb", Attempt = attempt, State = ContainerRunState.Exited, ExitCode = exit, Reason = reason, StartedAt = Now, FinishedAt = Now };

    private static PodStatus Build(Pod pod, IReadOnlyList<ContainerView> containers, Dictionary<string, (string, string)>? waiting = null,
        bool terminating = false, SandboxView? sandbox = null) =>
        PodStatusBuilder.Build(new PodStatusInput
        {
            Pod = pod,
            Runtime = new RuntimePod("uid", [sandbox ?? Sandbox], [.. containers.OrderByDescending(c => c.Attempt)]),
            Waiting = waiting ?? [],
            HostIp = "192.0.2.1",
            Now = Now,
            Terminating = terminating,
        });

    private static string? Cond(PodStatus s, string type) => s.Conditions!.Single(c => c.Type == type).Status;

    [Fact]
    public void A_running_container_makes_the_pod_Running_and_Ready_with_its_ips()
    {
        var s = Build(Pod(), [Running("main")]);
        Assert.Equal("Running", s.Phase);
        Assert.Equal("10.42.0.9", s.PodIP);
        Assert.Equal("192.0.2.1", s.HostIP);
        Assert.Equal("BestEffort", s.QosClass);
        foreach (var t in new[] { "PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready", "PodScheduled" }) Assert.Equal("True", Cond(s, t));
        var c = s.ContainerStatuses!.Single();
        Assert.True(c.Ready);
        Assert.Equal("containerd://main-0", c.ContainerID);
        Assert.NotNull(c.State!.Running);
    }

    [Fact]
    public void Exit_3_under_Never_is_Failed_with_reason_Error()
    {
        var s = Build(Pod("Never"), [Exited("main", 3)]);
        Assert.Equal("Failed", s.Phase);
        Assert.Equal(3, s.ContainerStatuses![0].State!.Terminated!.ExitCode);
        Assert.Equal("Error", s.ContainerStatuses[0].State!.Terminated!.Reason);
        Assert.Equal("False", Cond(s, "Ready"));
    }

    [Theory]
    [InlineData("Never", 0, "Succeeded")]
    [InlineData("OnFailure", 0, "Succeeded")]
    [InlineData("OnFailure", 1, "Running")]
    [InlineData("Always", 0, "Running")]
    public void Phases_of_finished_containers_follow_the_restart_policy(string policy, int exit, string phase)
    {
        Assert.Equal(phase, Build(Pod(policy), [Exited("main", exit)]).Phase);
    }

    [Fact]
    public void A_container_in_backoff_waits_with_CrashLoopBackOff_and_shows_its_last_run()
    {
        var waiting = new Dictionary<string, (string, string)> { ["main"] = ("CrashLoopBackOff", "back-off 10s restarting failed container=main pod=p_ns(uid)") };
        var s = Build(Pod(), [Exited("main", 1, attempt: 1), Exited("main", 1, attempt: 0)], waiting);
        var c = s.ContainerStatuses!.Single();
        Assert.Equal("CrashLoopBackOff", c.State!.Waiting!.Reason);
        Assert.Equal(1, c.RestartCount);
        Assert.Equal("containerd://main-1", c.LastState!.Terminated!.ContainerID);
        Assert.Equal("Running", s.Phase);
        Assert.Equal("False", Cond(s, "Ready"));
    }

    [Fact]
    public void A_restarted_container_reports_the_previous_run_as_lastState()
    {
        var s = Build(Pod(), [Running("main", 2), Exited("main", 137, 1, "OOMKilled")]);
        var c = s.ContainerStatuses!.Single();
        Assert.Equal(2, c.RestartCount);
        Assert.Equal("OOMKilled", c.LastState!.Terminated!.Reason);
        Assert.Equal(137, c.LastState.Terminated.ExitCode);
    }

    [Fact]
    public void Init_containers_keep_the_pod_Pending_and_not_Initialized_until_all_succeed()
    {
        var pod = Pod("Always", ["a", "b"]);
        var s = Build(pod, [Exited("a", 0), Running("b")]);
        Assert.Equal("Pending", s.Phase);
        Assert.Equal("False", Cond(s, "Initialized"));
        Assert.Equal("containers with incomplete status: [b]", s.Conditions!.Single(c => c.Type == "Initialized").Message);
        Assert.Equal("PodInitializing", s.ContainerStatuses![0].State!.Waiting!.Reason);
        Assert.Equal("Completed", s.InitContainerStatuses![0].State!.Terminated!.Reason);

        var failed = Build(Pod("Never", ["a"]), [Exited("a", 2)]);
        Assert.Equal("Failed", failed.Phase);

        var done = Build(pod, [Exited("a", 0), Exited("b", 0), Running("main")]);
        Assert.Equal("Running", done.Phase);
        Assert.Equal("True", Cond(done, "Initialized"));
    }

    [Fact]
    public void A_pod_stopped_for_deletion_is_terminal_whatever_its_policy()
    {
        Assert.Equal("Failed", Build(Pod("Always"), [Exited("main", 143)], terminating: true).Phase);
        Assert.Equal("Succeeded", Build(Pod("Always"), [Exited("main", 0)], terminating: true).Phase);
    }

    [Fact]
    public void Waiting_reasons_show_for_containers_not_created_yet()
    {
        var waiting = new Dictionary<string, (string, string)> { ["main"] = ("ErrImageNeverPull", "Container image \"x\" is not present with pull policy of Never") };
        var s = Build(Pod(), [], waiting);
        Assert.Equal("Pending", s.Phase);
        Assert.Equal("ErrImageNeverPull", s.ContainerStatuses![0].State!.Waiting!.Reason);
        var creating = Build(Pod(), []);
        Assert.Equal("ContainerCreating", creating.ContainerStatuses![0].State!.Waiting!.Reason);
    }

    [Fact]
    public void Transition_times_are_kept_while_a_condition_holds_and_others_conditions_survive()
    {
        var pod = Pod();
        var earlier = Now.AddMinutes(-5);
        pod.Status = new PodStatus
        {
            StartTime = earlier,
            Conditions =
            [
                new PodCondition { Type = "Ready", Status = "True", LastTransitionTime = earlier },
                new PodCondition { Type = "PodScheduled", Status = "True", LastTransitionTime = earlier },
                new PodCondition { Type = "DisruptionTarget", Status = "True", LastTransitionTime = earlier, Reason = "EvictionByEvictionAPI" },
            ],
        };
        var s = Build(pod, [Running("main")]);
        Assert.Equal(earlier, s.StartTime);
        Assert.Equal(earlier, s.Conditions!.Single(c => c.Type == "Ready").LastTransitionTime);
        Assert.Equal(Now, s.Conditions!.Single(c => c.Type == "ContainersReady").LastTransitionTime);
        Assert.Equal("EvictionByEvictionAPI", s.Conditions!.Single(c => c.Type == "DisruptionTarget").Reason);
        Assert.Single(s.Conditions!, c => c.Type == "PodScheduled");

        var unready = PodStatusBuilder.Build(new PodStatusInput
        {
            Pod = pod, Runtime = new RuntimePod("uid", [Sandbox], [Running("main")]), Now = Now, IsReady = (_, _) => false,
        });
        Assert.Equal(Now, unready.Conditions!.Single(c => c.Type == "Ready").LastTransitionTime);
        Assert.Equal("containers with unready status: [main]", unready.Conditions!.Single(c => c.Type == "Ready").Message);
    }

    [Fact]
    public void Qos_classes()
    {
        Container With(string? cpuReq, string? cpuLim, string? memReq, string? memLim)
        {
            var r = new ResourceRequirements { Requests = [], Limits = [] };
            if (cpuReq is not null) r.Requests["cpu"] = cpuReq;
            if (cpuLim is not null) r.Limits["cpu"] = cpuLim;
            if (memReq is not null) r.Requests["memory"] = memReq;
            if (memLim is not null) r.Limits["memory"] = memLim;
            return new Container { Name = "c", Resources = r };
        }
        Assert.Equal("Guaranteed", RuntimeConfigBuilder.QosClass(new PodSpec { Containers = [With("500m", "0.5", "1Gi", "1024Mi")] }));
        Assert.Equal("Guaranteed", RuntimeConfigBuilder.QosClass(new PodSpec { Containers = [With(null, "1", null, "1Gi")] }));
        Assert.Equal("Burstable", RuntimeConfigBuilder.QosClass(new PodSpec { Containers = [With("100m", null, null, null)] }));
        Assert.Equal("BestEffort", RuntimeConfigBuilder.QosClass(new PodSpec { Containers = [new Container { Name = "c" }] }));
    }

    [Fact]
    public void Resources_become_cgroup_values()
    {
        var r = RuntimeConfigBuilder.Resources(new Container
        {
            Name = "c",
            Resources = new ResourceRequirements { Requests = new() { ["cpu"] = "250m" }, Limits = new() { ["cpu"] = "1500m", ["memory"] = "64Mi" } },
        });
        Assert.Equal(256, r.CpuShares);
        Assert.Equal(100_000, r.CpuPeriod);
        Assert.Equal(150_000, r.CpuQuota);
        Assert.Equal(64 * 1024 * 1024, r.MemoryLimitInBytes);
        Assert.Equal(2, RuntimeConfigBuilder.Resources(new Container { Name = "c" }).CpuShares);
    }

    [Theory]
    [InlineData("busybox", "Always")]
    [InlineData("busybox:latest", "Always")]
    [InlineData("localhost:5000/app", "Always")]
    [InlineData("localhost:5000/app:1.2", "IfNotPresent")]
    [InlineData("busybox@sha256:abcd", "IfNotPresent")]
    public void Default_pull_policies(string image, string policy) => Assert.Equal(policy, ImageManager.DefaultPolicy(image));

    [Theory]
    [InlineData("500m", 0.5)]
    [InlineData("64Mi", 67108864)]
    [InlineData("1Gi", 1073741824)]
    [InlineData("2", 2)]
    [InlineData("1.5", 1.5)]
    [InlineData("1k", 1000)]
    [InlineData("1e3", 1000)]
    public void Quantities_parse(string text, double value) => Assert.Equal((decimal)value, Quantities.Parse(text));
}
