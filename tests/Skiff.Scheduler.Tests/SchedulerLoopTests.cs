using Microsoft.Extensions.Logging.Abstractions;
using Skiff.Api.Models.Core.V1;
using Skiff.Scheduler.Cache;
using Skiff.Scheduler.Framework;
using Skiff.Scheduler.Profiles;
using Skiff.Scheduler.Queue;

namespace Skiff.Scheduler.Tests;

public sealed class SchedulerLoopTests
{
    private readonly FakeApi _api = new();
    private readonly SchedulerCache _cache = new();
    private readonly SchedulingQueue _queue = new(time: new ManualTime());
    private readonly Dictionary<string, Pod> _pods = new();

    private Scheduler Build(SchedulerOptions? options = null)
    {
        options ??= SchedulerOptions.Default;
        var profiles = ProfileFactory.BuildAll(options, new PluginHandle(new FakeLister(), _api, _api, _queue));
        return new Scheduler(_cache, _queue, profiles, _api, _api, p => _pods.GetValueOrDefault(p.Name), options, NullLogger.Instance);
    }

    private void Pending(Pod p)
    {
        _pods[p.Metadata!.Name!] = p;
        _queue.Add(p);
    }

    private async Task RunOnce(Scheduler s)
    {
        var q = await _queue.PopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token);
        await s.ScheduleOneAsync(q!, CancellationToken.None);
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException("condition not met in 5 s");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task BindsToTheLeastAllocatedNodeAndCountsTheAssumedPodForTheNext()
    {
        _cache.AddOrUpdateNode(Make.Node("small", cpu: "2"));
        _cache.AddOrUpdateNode(Make.Node("big", cpu: "8"));
        var s = Build();
        Pending(Make.Pod("first", "2"));
        Pending(Make.Pod("second", "2"));
        await RunOnce(s);
        await RunOnce(s);
        await Eventually(() => _api.Binds.Count == 2);
        // With the first pod assumed, big is half used and small would be full: the second follows the first.
        Assert.Equal([("first", "big"), ("second", "big")], _api.Binds.OrderBy(b => b.Pod));
        Assert.Contains(_api.Events, e => e.Reason == "Scheduled" && e.Message == "Successfully assigned default/first to big");
    }

    [Fact]
    public async Task AnUnschedulablePodGetsTheEventAndConditionWithUpstreamsMessage()
    {
        _cache.AddOrUpdateNode(Make.Node("a", cpu: "1"));
        _cache.AddOrUpdateNode(Make.Node("b", cpu: "1", taints: [new Taint { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" }]));
        var s = Build();
        Pending(Make.Pod("greedy", "2"));
        await RunOnce(s);
        const string message = "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: gpu}. " +
                               "preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.";
        Assert.Contains(_api.Events, e => e is { Reason: "FailedScheduling", Type: "Warning", Message: message });
        await Eventually(() => _api.StatusUpdates.Count == 1);
        var (_, condition, _) = _api.StatusUpdates[0];
        Assert.Equal(("PodScheduled", "False", "Unschedulable", message), (condition!.Type, condition.Status, condition.Reason, condition.Message));
        Assert.Equal(1, _queue.UnschedulableCount);
        Assert.Empty(_api.Binds);
    }

    [Fact]
    public async Task NoNodesMeansNoNodesAvailable()
    {
        var s = Build();
        Pending(Make.Pod("alone"));
        await RunOnce(s);
        Assert.Contains(_api.Events, e => e.Message == "no nodes available to schedule pods");
    }

    [Fact]
    public async Task AFailedBindingForgetsTheAssumedPodAndRetriesWithBackoff()
    {
        _cache.AddOrUpdateNode(Make.Node("a"));
        _api.FailBindsFor.Add("unlucky");
        var s = Build();
        Pending(Make.Pod("unlucky", "1"));
        await RunOnce(s);
        await Eventually(() => _queue.BackoffCount == 1);
        Assert.Equal(0, _cache.PodCount);
        Assert.Contains(_api.Events, e => e.Reason == "FailedScheduling" && e.Message.Contains("binding rejected"));
    }

    [Fact]
    public async Task PodsOfOtherSchedulersAreLeftAlone()
    {
        _cache.AddOrUpdateNode(Make.Node("a"));
        var s = Build(SchedulerOptions.Default with { Profiles = [new ProfileOptions(), new ProfileOptions { SchedulerName = "packer", ScoringStrategy = Skiff.Scheduler.Plugins.ScoringStrategy.MostAllocated }] });
        Pending(Make.Pod("mine", spec: p => p.SchedulerName = "packer"));
        Pending(Make.Pod("theirs", spec: p => p.SchedulerName = "someone-else"));
        await RunOnce(s);
        await RunOnce(s);
        await Eventually(() => _api.Binds.Count == 1);
        Assert.Equal(("mine", "a"), _api.Binds.Single());
    }

    [Fact]
    public void LooksAtAShareOfLargeClusters()
    {
        Assert.Equal(50, Scheduler.NumFeasibleNodesToFind(50, 0));
        Assert.Equal(230, Scheduler.NumFeasibleNodesToFind(500, 0));   // 46% of 500
        Assert.Equal(500, Scheduler.NumFeasibleNodesToFind(5000, 0));  // 10% of 5000
        Assert.Equal(250, Scheduler.NumFeasibleNodesToFind(5000, 5));
        Assert.Equal(100, Scheduler.NumFeasibleNodesToFind(150, 10));
    }
}
