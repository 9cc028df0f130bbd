using Skiff.Scheduler.Framework;
using Skiff.Scheduler.Queue;

namespace Skiff.Scheduler.Tests.Queue;

public sealed class SchedulingQueueTests
{
    private static async Task<string> PopName(SchedulingQueue q)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        return (await q.PopAsync(cts.Token))!.PodInfo.Name;
    }

    [Fact]
    public async Task PopsByPriorityThenByAge()
    {
        var time = new ManualTime();
        var q = new SchedulingQueue(time: time);
        q.Add(Make.Pod("low-old", priority: 1));
        time.Advance(TimeSpan.FromSeconds(1));
        q.Add(Make.Pod("high", priority: 100));
        q.Add(Make.Pod("low-new", priority: 1));
        Assert.Equal("high", await PopName(q));
        Assert.Equal("low-old", await PopName(q));
        Assert.Equal("low-new", await PopName(q));
    }

    [Fact]
    public async Task PopWaitsForAPod()
    {
        var q = new SchedulingQueue();
        var pop = PopName(q);
        await Task.Delay(50);
        Assert.False(pop.IsCompleted);
        q.Add(Make.Pod("late"));
        Assert.Equal("late", await pop);
    }

    [Fact]
    public void BackoffDoublesFromOneSecondToTen()
    {
        var q = new SchedulingQueue();
        Assert.Equal([1, 2, 4, 8, 10, 10], Enumerable.Range(1, 6).Select(a => (int)q.BackoffDuration(a).TotalSeconds));
    }

    [Fact]
    public async Task UnschedulablePodsWaitForARelevantEventThenBackOff()
    {
        var time = new ManualTime();
        var events = new Dictionary<string, IReadOnlyList<ClusterEvent>> { ["NodeResourcesFit"] = [ClusterEvent.NodeAdd, ClusterEvent.AssignedPodDelete] };
        var q = new SchedulingQueue(time: time, pluginEvents: events.GetValueOrDefault);
        q.Add(Make.Pod("p"));
        var item = (await q.PopAsync(CancellationToken.None))!;
        q.AddUnschedulable(item, new HashSet<string> { "NodeResourcesFit" }, q.SchedulingCycle);
        Assert.Equal(1, q.UnschedulableCount);

        // A node update is not something NodeResourcesFit registered for (in this test).
        q.MoveAllToActiveOrBackoff(ClusterEvent.NodeUpdate);
        Assert.Equal(1, q.UnschedulableCount);

        // A pod deletion is, but the pod's 1 s backoff has not passed yet.
        q.MoveAllToActiveOrBackoff(ClusterEvent.AssignedPodDelete);
        Assert.Equal(0, q.UnschedulableCount);
        Assert.Equal(1, q.BackoffCount);
        q.FlushBackoffCompleted();
        Assert.Equal(1, q.BackoffCount);
        time.Advance(TimeSpan.FromSeconds(1));
        q.FlushBackoffCompleted();
        Assert.Equal(1, q.ActiveCount);
        Assert.Equal("p", await PopName(q));
    }

    [Fact]
    public async Task AnEventDuringTheAttemptSendsTheFailedPodToBackoffNotTheUnschedulablePool()
    {
        var q = new SchedulingQueue(time: new ManualTime());
        q.Add(Make.Pod("p"));
        var item = (await q.PopAsync(CancellationToken.None))!;
        var cycle = q.SchedulingCycle;
        q.MoveAllToActiveOrBackoff(ClusterEvent.NodeAdd); // arrives while "p" is being scheduled
        q.AddUnschedulable(item, new HashSet<string> { "NodeResourcesFit" }, cycle);
        Assert.Equal(0, q.UnschedulableCount);
        Assert.Equal(1, q.BackoffCount);
    }

    [Fact]
    public async Task UnschedulablePodsAreRetriedAfterFiveMinutesWithoutEvents()
    {
        var time = new ManualTime();
        var q = new SchedulingQueue(time: time);
        q.Add(Make.Pod("p"));
        var item = (await q.PopAsync(CancellationToken.None))!;
        q.AddUnschedulable(item, new HashSet<string> { "X" }, q.SchedulingCycle);
        time.Advance(TimeSpan.FromMinutes(4));
        q.FlushUnschedulableLeftover();
        Assert.Equal(1, q.UnschedulableCount);
        time.Advance(TimeSpan.FromMinutes(2));
        q.FlushUnschedulableLeftover();
        Assert.Equal(1, q.ActiveCount);
    }

    [Fact]
    public async Task SpecChangesWakeAnUnschedulablePodButStatusChangesDoNot()
    {
        var time = new ManualTime();
        var q = new SchedulingQueue(time: time);
        var pod = Make.Pod("p");
        q.Add(pod);
        var item = (await q.PopAsync(CancellationToken.None))!;
        q.AddUnschedulable(item, new HashSet<string> { "NodeAffinity" }, q.SchedulingCycle);
        time.Advance(TimeSpan.FromSeconds(5));

        var statusOnly = Make.Pod("p");
        statusOnly.Metadata = pod.Metadata;
        statusOnly.Spec = pod.Spec;
        statusOnly.Status = new() { Phase = "Pending", Conditions = [new() { Type = "PodScheduled", Status = "False" }] };
        q.Update(pod, statusOnly);
        Assert.Equal(1, q.UnschedulableCount);

        var relabelled = Make.Pod("p", labels: new() { ["tier"] = "web" });
        relabelled.Metadata!.Uid = pod.Metadata!.Uid;
        q.Update(statusOnly, relabelled);
        Assert.Equal(0, q.UnschedulableCount);
        Assert.Equal(1, q.ActiveCount);
    }

    [Fact]
    public async Task DeletedPodsLeaveEveryQueueAndTheirNomination()
    {
        var q = new SchedulingQueue();
        var a = Make.Pod("a");
        q.Add(a);
        q.Add(Make.Pod("b"));
        q.AddNominatedPod(new PodInfo(a), "n1");
        Assert.Single(q.NominatedPodsForNode("n1"));
        q.Delete(a);
        Assert.Empty(q.NominatedPodsForNode("n1"));
        Assert.Equal("b", await PopName(q));
        Assert.Equal(0, q.ActiveCount);
    }
}
