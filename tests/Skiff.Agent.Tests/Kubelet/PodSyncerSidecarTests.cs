using Skiff.Agent.Kubelet;
using Skiff.Api.Models.Core.V1;
using Xunit.Abstractions;
using static Skiff.Agent.Tests.Kubelet.PodSyncerEventsTests;
using Container = Skiff.Api.Models.Core.V1.Container;

namespace Skiff.Agent.Tests.Kubelet;

/// <summary>
/// Sidecars (init containers with restartPolicy Always, GA upstream in 1.33) on a real <see cref="PodSyncer"/> over
/// <see cref="FakeCri"/>, and the status <see cref="PodStatusBuilder"/> makes of what the runtime then holds.
/// </summary>
public sealed class PodSyncerSidecarTests(ITestOutputHelper output)
{
    private static Pod JobLike()
    {
        var proxy = C("proxy");
        proxy.RestartPolicy = "Always";
        var pod = PodOf([C("app")], [proxy, C("migrate")]);
        pod.Spec!.RestartPolicy = "Never";
        return pod;
    }

    /// <summary>A <see cref="JobLike"/> pod taken through its init sequence: proxy and app running, migrate done.</summary>
    private static async Task<Pod> InitializedAsync(Harness h)
    {
        var pod = JobLike();
        await h.SyncAsync(pod);
        await h.SyncAsync(pod);
        h.Cri.Exit("migrate", 0);
        await h.SyncAsync(pod);
        return pod;
    }

    private static async Task<PodStatus> StatusAsync(Harness h, Pod pod) =>
        PodStatusBuilder.Build(new PodStatusInput { Pod = pod, Runtime = await h.Cri.Runtime.GetPodAsync(Uid, CancellationToken.None) });

    [Fact]
    public async Task A_sidecar_starts_in_its_turn_lets_the_next_init_container_go_and_keeps_running_beside_the_containers()
    {
        await using var h = await Harness.StartAsync(output);
        var pod = JobLike();

        await h.SyncAsync(pod);
        Assert.Equal((1, 0, 0), (h.Cri.Running("proxy"), h.Cri.Running("migrate"), h.Cri.Running("app")));
        var status = await StatusAsync(h, pod);
        Assert.Equal("Pending", status.Phase);
        Assert.Equal("False", status.Conditions!.Single(c => c.Type == "Initialized").Status);
        Assert.Equal("containers with incomplete status: [migrate]", status.Conditions!.Single(c => c.Type == "Initialized").Message);

        await h.SyncAsync(pod);
        Assert.Equal((1, 1, 0), (h.Cri.Running("proxy"), h.Cri.Running("migrate"), h.Cri.Running("app")));

        h.Cri.Exit("migrate", 0);
        await h.SyncAsync(pod);
        Assert.Equal((1, 0, 1), (h.Cri.Running("proxy"), h.Cri.Running("migrate"), h.Cri.Running("app")));

        status = await StatusAsync(h, pod);
        Assert.Equal("Running", status.Phase);
        Assert.Equal("True", status.Conditions!.Single(c => c.Type == "Initialized").Status);
        Assert.Equal("True", status.Conditions!.Single(c => c.Type == "Ready").Status);
        var proxy = status.InitContainerStatuses!.Single(s => s.Name == "proxy");
        Assert.NotNull(proxy.State!.Running);
        Assert.True(proxy.Started);
        Assert.True(proxy.Ready);
        Assert.Equal("Completed", status.InitContainerStatuses!.Single(s => s.Name == "migrate").State!.Terminated!.Reason);
        Assert.False(status.InitContainerStatuses!.Single(s => s.Name == "migrate").Ready);
    }

    [Fact]
    public async Task A_sidecar_that_exits_is_restarted_though_the_pod_never_restarts_and_the_containers_are_left_alone()
    {
        await using var h = await Harness.StartAsync(output);
        var pod = await InitializedAsync(h);

        h.Cri.Exit("proxy", 1);
        var status = await StatusAsync(h, pod);
        Assert.Equal("Running", status.Phase); // the pod was initialized; the containers still run
        Assert.Equal("False", status.Conditions!.Single(c => c.Type == "ContainersReady").Status);
        Assert.Equal("containers with unready status: [proxy]", status.Conditions!.Single(c => c.Type == "ContainersReady").Message);

        await h.SyncAsync(pod);
        Assert.Equal((1, 1), (h.Cri.Running("proxy"), h.Cri.Running("app")));
        Assert.Equal(1, (await StatusAsync(h, pod)).InitContainerStatuses!.Single(s => s.Name == "proxy").RestartCount);
    }

    [Fact]
    public async Task A_pod_whose_containers_finished_is_Succeeded_though_its_sidecar_ran_and_the_sidecar_is_then_stopped()
    {
        await using var h = await Harness.StartAsync(output);
        var pod = await InitializedAsync(h);

        h.Cri.Exit("app", 0);
        Assert.Equal("Succeeded", (await StatusAsync(h, pod)).Phase);

        await h.SyncAsync(pod);
        Assert.Equal(0, h.Cri.Running("proxy"));
        // The last status written shows the sidecar stopped too, and the phase stays Succeeded.
        var final = h.Statuses.Last!;
        Assert.Equal("Succeeded", final.Phase);
        Assert.NotNull(final.InitContainerStatuses!.Single(s => s.Name == "proxy").State!.Terminated);
        Assert.False(final.InitContainerStatuses!.Single(s => s.Name == "proxy").Ready);
        Assert.Equal("Completed", final.ContainerStatuses!.Single().State!.Terminated!.Reason);
    }

    [Fact]
    public async Task Deleting_the_pod_stops_the_containers_first_then_the_sidecars_last_one_first()
    {
        await using var h = await Harness.StartAsync(output);
        var (a, b) = (C("first"), C("second"));
        a.RestartPolicy = b.RestartPolicy = "Always";
        var pod = PodOf([C("app")], [a, b]);
        await h.SyncAsync(pod);
        await h.SyncAsync(pod);
        await h.SyncAsync(pod);
        Assert.Equal((1, 1, 1), (h.Cri.Running("first"), h.Cri.Running("second"), h.Cri.Running("app")));
        h.Events.Take();

        pod.Metadata!.DeletionTimestamp = DateTimeOffset.UtcNow;
        pod.Metadata.DeletionGracePeriodSeconds = 1;
        Assert.True((await h.SyncAsync(pod)).Finished);

        Assert.Equal(["spec.containers{app}", "spec.initContainers{second}", "spec.initContainers{first}"],
            h.Events.Take().Where(e => e.Reason == "Killing").Select(e => e.Involved.FieldPath));
    }
}
