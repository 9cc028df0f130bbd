using System.Collections.Concurrent;
using System.Net;
using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Meta.V1;
using Skiff.Client.Events;
using Skiff.Client.Rest;

namespace Skiff.Client.Tests.Events;

public sealed class CoreEventRecorderTests
{
    /// <summary>Keeps what was written; can hang (a slow API server), fail (one that is down) or forget Events (TTL).</summary>
    private sealed class FakeSink : ICoreEventSink
    {
        public ConcurrentDictionary<string, Event> Stored { get; } = new();
        public ConcurrentQueue<string> Calls { get; } = new();
        public TaskCompletionSource? Gate { get; set; }
        public bool Hang { get; set; }
        public bool Down { get; set; }

        public async Task CreateAsync(Event e, CancellationToken ct)
        {
            await Enter(ct);
            Calls.Enqueue("create " + e.Metadata!.Name);
            // A copy, as the API server keeps its own.
            Stored[e.Metadata.Name!] = new Event
            {
                Metadata = new ObjectMeta { Name = e.Metadata.Name, Namespace = e.Metadata.Namespace },
                InvolvedObject = e.InvolvedObject, Type = e.Type, Reason = e.Reason, Message = e.Message, Source = e.Source,
                ReportingComponent = e.ReportingComponent, ReportingInstance = e.ReportingInstance, Action = e.Action,
                Count = e.Count, FirstTimestamp = e.FirstTimestamp, LastTimestamp = e.LastTimestamp,
            };
        }

        public async Task PatchCountAsync(string ns, string name, int count, DateTimeOffset lastTimestamp, CancellationToken ct)
        {
            await Enter(ct);
            Calls.Enqueue($"patch {name} {count}");
            if (!Stored.TryGetValue(name, out var e)) throw NotFound(name);
            e.Count = count;
            e.LastTimestamp = lastTimestamp;
        }

        private async Task Enter(CancellationToken ct)
        {
            if (Gate is { } g) await g.Task.WaitAsync(ct);
            if (Hang) await Task.Delay(Timeout.Infinite, ct);
            if (Down) throw new HttpRequestException("connection refused");
        }

        private static ApiException NotFound(string name) =>
            new(new Status { Code = (int)HttpStatusCode.NotFound, Reason = "NotFound", Message = $"events \"{name}\" not found" });
    }

    private static readonly CoreEventRecorderOptions Options = new() { Component = "kubelet", Host = "node-1", ReportingInstance = "node-1" };

    private static ObjectReference Pod(string name, string? fieldPath = null) =>
        new() { Kind = "Pod", ApiVersion = "v1", Namespace = "ns", Name = name, Uid = "uid-" + name, FieldPath = fieldPath };

    private static async Task<(CancellationTokenSource, Task)> StartAsync(CoreEventRecorder recorder)
    {
        var cts = new CancellationTokenSource();
        var run = Task.Run(() => recorder.RunAsync(cts.Token));
        await Task.Yield();
        return (cts, run);
    }

    [Fact]
    public async Task AnEventIsACoreV1EventWithTheSourceAndTimestampsNamedAfterItsObject()
    {
        var time = new ManualTimeProvider();
        var sink = new FakeSink();
        var recorder = new CoreEventRecorder(sink, Options, time: time);
        var (cts, run) = await StartAsync(recorder);
        recorder.Record(Pod("web", "spec.containers{main}"), "Normal", "Started", "Container started");
        await Eventually.TrueAsync(() => sink.Stored.Count == 1, "the event");
        cts.Cancel();
        await run;

        var e = sink.Stored.Values.Single();
        Assert.Matches("^web\\.[0-9a-f]{16}$", e.Metadata!.Name);
        Assert.Equal("ns", e.Metadata.Namespace);
        Assert.Equal("spec.containers{main}", e.InvolvedObject!.FieldPath);
        Assert.Equal("uid-web", e.InvolvedObject.Uid);
        Assert.Equal(("kubelet", "node-1"), (e.Source!.Component, e.Source.Host));
        Assert.Equal(("kubelet", "node-1"), (e.ReportingComponent, e.ReportingInstance));
        Assert.Equal(("Normal", "Started", "Container started"), (e.Type, e.Reason, e.Message));
        Assert.Equal(1, e.Count);
        Assert.Equal(time.GetUtcNow(), e.FirstTimestamp);
        Assert.Equal(e.FirstTimestamp, e.LastTimestamp);
    }

    [Fact]
    public async Task RepeatsPatchTheCountAndLastTimestampWhileOtherKeysMakeNewEvents()
    {
        var time = new ManualTimeProvider();
        var sink = new FakeSink();
        var recorder = new CoreEventRecorder(sink, Options, time: time);
        var first = time.GetUtcNow();
        for (var i = 0; i < 4; i++)
        {
            recorder.Record(Pod("web", "spec.containers{main}"), "Warning", "BackOff", "Back-off restarting failed container main");
            time.Advance(TimeSpan.FromSeconds(10));
        }
        recorder.Record(Pod("web", "spec.containers{side}"), "Warning", "BackOff", "Back-off restarting failed container main"); // another container
        recorder.Record(Pod("web", "spec.containers{main}"), "Warning", "BackOff", "Back-off restarting failed container main "); // another message
        recorder.Record(Pod("other", "spec.containers{main}"), "Warning", "BackOff", "Back-off restarting failed container main"); // another pod
        var (cts, run) = await StartAsync(recorder);
        await Eventually.TrueAsync(() => sink.Calls.Count == 7, "seven writes", details: () => string.Join("\n", sink.Calls));
        cts.Cancel();
        await run;

        Assert.Equal(4, sink.Stored.Count);
        var repeated = sink.Stored.Values.Single(e => e.Count > 1);
        Assert.Equal(4, repeated.Count);
        Assert.Equal(first, repeated.FirstTimestamp);
        Assert.Equal(first + TimeSpan.FromSeconds(30), repeated.LastTimestamp);
        Assert.Equal(["create", "patch", "patch", "patch", "create", "create", "create"], sink.Calls.Select(c => c.Split(' ')[0]));
        Assert.Equal(4, sink.Stored.Keys.Distinct().Count());
    }

    [Fact]
    public async Task AnEventThatExpiredIsCreatedAgainWithItsCount()
    {
        var sink = new FakeSink();
        var recorder = new CoreEventRecorder(sink, Options);
        var (cts, run) = await StartAsync(recorder);
        recorder.Record(Pod("web"), "Warning", "Unhealthy", "Liveness probe failed: no");
        recorder.Record(Pod("web"), "Warning", "Unhealthy", "Liveness probe failed: no");
        await Eventually.TrueAsync(() => sink.Stored.Values.Any(e => e.Count == 2), "count 2");
        sink.Stored.Clear(); // the API server's TTL removed it
        recorder.Record(Pod("web"), "Warning", "Unhealthy", "Liveness probe failed: no");
        await Eventually.TrueAsync(() => sink.Stored.Values.Any(e => e.Count == 3), "created again with count 3");
        cts.Cancel();
        await run;
    }

    [Fact]
    public async Task RecordNeverBlocksOnASlowApiServerAndDropsWhatTheQueueCannotHold()
    {
        var sink = new FakeSink { Gate = new TaskCompletionSource() };
        var recorder = new CoreEventRecorder(sink, Options with { QueueCapacity = 3 });
        var (cts, run) = await StartAsync(recorder);
        recorder.Record(Pod("p0"), "Normal", "R", "m");
        await Eventually.TrueAsync(() => recorder.Dropped == 0 && sink.Calls.IsEmpty, "the writer to take the first event");
        await Task.Delay(50); // let the writer block in the sink with it
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 1; i < 20; i++) recorder.Record(Pod("p" + i), "Normal", "R", "m");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), "Record returned at once");
        Assert.InRange(recorder.Dropped, 16, 17);
        sink.Gate.SetResult();
        await Eventually.TrueAsync(() => sink.Stored.Count == 20 - recorder.Dropped, "the queued events");
        cts.Cancel();
        await run;
    }

    [Fact]
    public async Task AHungOrDownApiServerCostsTheEventNotTheRecorder()
    {
        var sink = new FakeSink { Hang = true };
        var log = new ListLogger();
        var recorder = new CoreEventRecorder(sink, Options with { WriteTimeout = TimeSpan.FromMilliseconds(100) }, log);
        var (cts, run) = await StartAsync(recorder);
        recorder.Record(Pod("a"), "Normal", "R", "hung");
        await Eventually.TrueAsync(() => log.Lines.Any(l => l.Contains("timed out")), "the write to time out", details: log.ToString);

        sink.Hang = false;
        sink.Down = true;
        recorder.Record(Pod("b"), "Normal", "R", "down");
        await Eventually.TrueAsync(() => log.Lines.Any(l => l.Contains("connection refused")), "the failure logged", details: log.ToString);
        Assert.All(log.Lines, l => Assert.Contains("Debug", l));

        sink.Down = false;
        recorder.Record(Pod("c"), "Normal", "R", "up again");
        await Eventually.TrueAsync(() => sink.Stored.Values.Any(e => e.Message == "up again"), "later events to be written");
        cts.Cancel();
        await run; // stops at once even with a write pending
    }

    [Fact]
    public async Task StoppingDoesNotWaitForAHungWrite()
    {
        var sink = new FakeSink { Hang = true };
        var recorder = new CoreEventRecorder(sink, Options with { WriteTimeout = TimeSpan.FromMinutes(5) });
        var (cts, run) = await StartAsync(recorder);
        recorder.Record(Pod("a"), "Normal", "R", "m");
        await Task.Delay(50);
        cts.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
