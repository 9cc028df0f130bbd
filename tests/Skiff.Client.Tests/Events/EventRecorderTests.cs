using System.Collections.Concurrent;
using Skiff.Api.Models.Core.V1;
using Skiff.Client.Events;
using Event = Skiff.Api.Models.Events.V1.Event;
using EventSeries = Skiff.Api.Models.Events.V1.EventSeries;

namespace Skiff.Client.Tests.Events;

public sealed class EventRecorderTests
{
    private sealed class FakeSink : IEventSink
    {
        public ConcurrentQueue<Event> Created { get; } = new();
        public ConcurrentQueue<(string Name, int Count)> Patches { get; } = new();
        public TaskCompletionSource? Gate { get; set; }

        public async Task<Event> CreateAsync(Event e, CancellationToken ct)
        {
            if (Gate is { } g) await g.Task;
            Created.Enqueue(e);
            return e;
        }

        public Task PatchSeriesAsync(string ns, string name, EventSeries series, CancellationToken ct)
        {
            Patches.Enqueue((name, series.Count ?? 0));
            return Task.CompletedTask;
        }
    }

    private static readonly EventRecorderOptions Options = new() { ReportingController = "skiff.io/test", ReportingInstance = "test-1" };
    private static ObjectReference Pod(string name) => new() { Kind = "Pod", ApiVersion = "v1", Namespace = "ns", Name = name, Uid = "uid-" + name };

    [Fact]
    public async Task IdenticalEventsBecomeOneEventWithASeries()
    {
        var sink = new FakeSink();
        var recorder = new EventRecorder(sink, Options);
        for (var i = 0; i < 5; i++)
            recorder.Record(Pod("a"), null, "Warning", "FailedScheduling", "Scheduling", $"0/3 nodes are available (attempt {i})");
        recorder.Record(Pod("b"), null, "Warning", "FailedScheduling", "Scheduling", "other pod");
        await recorder.StopAsync();

        Assert.Equal(2, sink.Created.Count);
        var first = sink.Created.First(e => e.Regarding!.Name == "a");
        Assert.Equal("ns", first.Metadata!.Namespace);
        Assert.Equal("skiff.io/test", first.ReportingController);
        Assert.Equal(5, sink.Patches.Where(p => p.Name == first.Metadata.Name).Max(p => p.Count));
        Assert.DoesNotContain(sink.Patches, p => p.Name != first.Metadata.Name);
    }

    [Fact]
    public async Task AnEventAfterTheSeriesWindowStartsANewEvent()
    {
        var time = new ManualTimeProvider();
        var sink = new FakeSink();
        var recorder = new EventRecorder(sink, Options, time: time);
        recorder.Record(Pod("a"), null, "Normal", "Scheduled", "Binding", "to n1");
        await Eventually.TrueAsync(() => sink.Created.Count == 1, "first create");
        time.Advance(TimeSpan.FromMinutes(7));
        recorder.Record(Pod("a"), null, "Normal", "Scheduled", "Binding", "to n1");
        await recorder.StopAsync();
        Assert.Equal(2, sink.Created.Count);
        Assert.Empty(sink.Patches);
    }

    [Fact]
    public async Task RecordNeverBlocksAndDropsWhenTheQueueIsFull()
    {
        var sink = new FakeSink { Gate = new TaskCompletionSource() };
        var recorder = new EventRecorder(sink, Options with { QueueCapacity = 3 });
        // The writer takes the first event and blocks in the sink; the queue then holds 3 more.
        for (var i = 0; i < 20; i++) recorder.Record(Pod("p" + i), null, "Normal", "R", "A", "n");
        Assert.InRange(recorder.Dropped, 16, 17);
        sink.Gate.SetResult();
        await recorder.StopAsync();
        Assert.Equal(20 - recorder.Dropped, sink.Created.Count);
    }
}
