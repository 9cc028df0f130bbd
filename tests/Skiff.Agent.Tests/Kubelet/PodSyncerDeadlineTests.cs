using Skiff.Agent.Kubelet;
using Skiff.Api.Models.Core.V1;
using Xunit.Abstractions;
using static Skiff.Agent.Tests.Kubelet.PodSyncerEventsTests;

namespace Skiff.Agent.Tests.Kubelet;

/// <summary>activeDeadlineSeconds on a real <see cref="PodSyncer"/> over <see cref="FakeCri"/>, with the test's clock.</summary>
public sealed class PodSyncerDeadlineTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_pod_past_its_active_deadline_fails_with_DeadlineExceeded_and_its_containers_are_stopped()
    {
        await using var h = await Harness.StartAsync(output);
        var pod = PodOf([C("app")]);
        pod.Spec!.ActiveDeadlineSeconds = 30;
        pod.Status = new PodStatus { StartTime = h.Time.GetUtcNow() };

        var outcome = await h.SyncAsync(pod);
        Assert.Equal(1, h.Cri.Running("app"));
        Assert.NotNull(outcome.RequeueAfter);
        Assert.InRange(outcome.RequeueAfter!.Value, TimeSpan.FromSeconds(29), TimeSpan.FromSeconds(30)); // woken at the deadline
        Assert.Equal("Running", h.Statuses.Last!.Phase);
        h.Events.Take();

        h.Time.Advance(TimeSpan.FromSeconds(31));
        await h.SyncAsync(pod);

        Assert.Equal(0, h.Cri.Running("app"));
        var status = h.Statuses.Last!;
        Assert.Equal(("Failed", "DeadlineExceeded", "Pod was active on the node longer than the specified deadline"), (status.Phase, status.Reason, status.Message));
        Assert.NotNull(status.ContainerStatuses!.Single().State!.Terminated);
        Assert.Equal(
            [("Warning", "DeadlineExceeded", (string?)null), ("Normal", "Killing", "spec.containers{app}")],
            h.Events.Take().Select(e => (e.Type, e.Reason, e.Involved.FieldPath)));

        // Failed is final: the next sync neither restarts nor fails it again.
        pod.Status = status;
        await h.SyncAsync(pod);
        Assert.Equal(0, h.Cri.Running("app"));
        Assert.Empty(h.Events.Take());
    }
}
