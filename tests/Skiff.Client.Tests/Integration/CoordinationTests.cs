using Skiff.Api.Models.Core.V1;
using Skiff.Client.Events;
using Skiff.Client.LeaderElection;
using Skiff.Client.Rest;
using Skiff.Client.Watch;

namespace Skiff.Client.Tests.Integration;

[Collection(ServerCollection.Name)]
public sealed class CoordinationTests(ServerFixture fx)
{
    [Fact]
    public async Task TwoElectorsOnOneLeaseOnlyOneLeadsThenTheOtherTakesOver()
    {
        var ns = await fx.NewNamespaceAsync("lease");
        var leaders = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var leading = 0;
        var overlap = false;
        LeaderElector Elector(string id) => new(new LeaderElectionConfig
        {
            Identity = id,
            LeaseDuration = TimeSpan.FromSeconds(15),
            RenewDeadline = TimeSpan.FromSeconds(10),
            RetryPeriod = TimeSpan.FromMilliseconds(200),
            OnStartedLeading = async ct =>
            {
                if (Interlocked.Increment(ref leading) > 1) overlap = true;
                leaders.Enqueue(id);
                try { await Task.Delay(Timeout.Infinite, ct); }
                catch (OperationCanceledException) { }
                finally { Interlocked.Decrement(ref leading); }
            },
        }, new LeaseLock(fx.Client.Leases, ns, "controller"));

        using var ctsA = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var ctsB = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var a = Elector("a");
        var runA = a.RunAsync(ctsA.Token);
        await Eventually.TrueAsync(() => a.IsLeader, "a leads");
        var b = Elector("b");
        var runB = b.RunAsync(ctsB.Token);
        await Eventually.TrueAsync(() => b.ObservedLeader == "a", "b sees a as leader");
        Assert.False(b.IsLeader);

        var lease = await fx.Client.Leases.GetAsync(ns, "controller");
        Assert.Equal("a", lease.Spec!.HolderIdentity);
        Assert.Equal(15, lease.Spec.LeaseDurationSeconds);

        // a releases on shutdown, so b takes over well before the 15 s lease would expire.
        ctsA.Cancel();
        await runA;
        var released = DateTime.UtcNow;
        await Eventually.TrueAsync(() => b.IsLeader, "b takes over after a released", TimeSpan.FromSeconds(10));
        Assert.True(DateTime.UtcNow - released < TimeSpan.FromSeconds(10));
        Assert.False(overlap, "two leaders at once");
        Assert.Equal(["a", "b"], leaders);
        lease = await fx.Client.Leases.GetAsync(ns, "controller");
        Assert.Equal("b", lease.Spec!.HolderIdentity);
        Assert.Equal(1, lease.Spec.LeaseTransitions);
        ctsB.Cancel();
        await runB;
    }

    [Fact]
    public async Task RepeatedEventsAreAggregatedIntoOneEventWithASeries()
    {
        var ns = await fx.NewNamespaceAsync("events");
        var pod = await fx.Client.ConfigMaps.CreateAsync(new ConfigMap { Metadata = new() { Name = "subject", Namespace = ns } });
        await using var recorder = new EventRecorder(new ApiEventSink(fx.Client.Events),
            new EventRecorderOptions { ReportingController = "skiff.io/client-tests", ReportingInstance = "tests-1" });
        var regarding = new ObjectReference { ApiVersion = "v1", Kind = "ConfigMap", Namespace = ns, Name = "subject", Uid = pod.Metadata!.Uid };
        for (var i = 0; i < 4; i++)
            recorder.Record(regarding, null, "Warning", "Failed", "Reconcile", "it broke");

        async Task<bool> Aggregated()
        {
            var events = await fx.Client.Events.ListAsync(ns);
            return events.Items.Count == 1 && events.Items[0].Series?.Count == 4;
        }
        await Eventually.TrueAsync(Aggregated, "one Event with series.count 4");
        var e = (await fx.Client.Events.ListAsync(ns)).Items.Single();
        Assert.Equal("Reconcile", e.Action);
        Assert.Equal("subject", e.Regarding!.Name);
        Assert.Equal("tests-1", e.ReportingInstance);
        Assert.NotNull(e.Series!.LastObservedTime);
    }

    [Fact]
    public async Task CoreV1EventsAggregateRepeatsIntoACountThatDescribeFindsByItsFieldSelector()
    {
        var ns = await fx.NewNamespaceAsync("coreevents");
        var subject = await fx.Client.ConfigMaps.CreateAsync(new ConfigMap { Metadata = new() { Name = "subject", Namespace = ns } });
        var recorder = new CoreEventRecorder(new ApiCoreEventSink(fx.Client),
            new CoreEventRecorderOptions { Component = "client-tests", Host = "node-x", ReportingInstance = "node-x" });
        using var cts = new CancellationTokenSource();
        var run = recorder.RunAsync(cts.Token);
        var involved = new ObjectReference { ApiVersion = "v1", Kind = "ConfigMap", Namespace = ns, Name = "subject", Uid = subject.Metadata!.Uid };
        for (var i = 0; i < 3; i++) recorder.Record(involved, "Warning", "Failed", "it broke");

        var events = fx.Client.Resource<Event, EventList>();
        await Eventually.TrueAsync(async () => (await events.ListAsync(ns)).Items is [{ Count: 3 }], "one core/v1 Event with count 3");
        var selector = $"involvedObject.name=subject,involvedObject.namespace={ns},involvedObject.kind=ConfigMap,involvedObject.uid={subject.Metadata.Uid}";
        var e = (await events.ListAsync(ns, new ListOptions { FieldSelector = selector })).Items.Single();
        Assert.Equal(("client-tests", "node-x"), (e.Source!.Component, e.Source.Host));
        Assert.Equal(("Warning", "Failed", "it broke"), (e.Type, e.Reason, e.Message));
        Assert.True(e.FirstTimestamp <= e.LastTimestamp);
        Assert.StartsWith("subject.", e.Metadata!.Name);
        cts.Cancel();
        await run;
    }

    [Fact]
    public async Task AWatchFromACompactedResourceVersionSurfacesGoneForARelist()
    {
        await using var server = new Skiff.E2E.SkiffServer
        {
            ExtraArgs = ["--datastore-compact-interval", "1s", "--datastore-compact-keep", "5", "--datastore-compact-min-age", "0"],
        };
        await server.StartAsync();
        using var client = KubeClient.FromKubeconfig(server.Kubeconfig);
        var created = await client.ConfigMaps.CreateAsync(new ConfigMap { Metadata = new() { Name = "hot", Namespace = "default" } });
        var oldRv = created.Metadata!.ResourceVersion!;
        for (var i = 0; i < 30; i++)
            await client.ConfigMaps.PatchAsync("default", "hot", PatchType.Merge, "{\"data\":{\"n\":\"" + i + "\"}}");
        await Eventually.TrueAsync(async () =>
        {
            try { await client.ConfigMaps.ListAsync("default", new ListOptions { ResourceVersion = oldRv, ResourceVersionMatch = "Exact" }); return false; }
            catch (ApiException e) when (e.IsGone) { return true; }
        }, "compaction passes the old revision", TimeSpan.FromSeconds(30));

        var watcher = new ResumingWatcher<ConfigMap>(client.ConfigMaps, "default", new ListOptions { ResourceVersion = oldRv });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var gone = await Assert.ThrowsAsync<ApiException>(async () =>
        {
            await foreach (var _ in watcher.WatchAsync(cts.Token)) { }
        });
        Assert.Equal(410, gone.Code);
        Assert.Equal("Expired", gone.Reason);
    }
}
