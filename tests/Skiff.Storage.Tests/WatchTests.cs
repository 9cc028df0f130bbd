using Skiff.Storage.Sqlite;

namespace Skiff.Storage.Tests;

public sealed class WatchTests
{
    /// <summary>Creates, updates and deletes under /w/ from several tasks at once; returns when all are acknowledged.</summary>
    private static async Task ChurnAsync(IStore store, int writers, int perWriter, string tag)
    {
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < perWriter; i++)
            {
                var key = $"/w/{tag}-{w}-{i % 7}";
                var cur = await store.GetAsync(key);
                var r = cur is null
                    ? await store.CreateAsync(key, Bytes.Of($"{i}"))
                    : i % 3 == 0
                        ? await store.DeleteAsync(key, cur.ModRevision)
                        : await store.UpdateAsync(key, Bytes.Of($"{i}"), cur.ModRevision);
                Assert.True(r.Succeeded, $"{r.Status} on {key}");
            }
        })));
    }

    [Theory]
    [InlineData(4096)] // start replays from the in-memory ring
    [InlineData(8)]    // ring too small: start reads history from the log, then hands over to live
    public async Task WatchFromZeroReplaysThenStreamsLiveWithoutGapsOrDuplicates(int ring)
    {
        await using var t = await TempStore.OpenAsync(o => o with { WatchRingCapacity = ring });
        await ChurnAsync(t.S, 4, 40, "before");

        using var watch = t.S.Watch("/w/", 0);
        await ChurnAsync(t.S, 8, 60, "during");
        var last = t.S.CurrentRevision;

        var events = await WatchReader.ReadUntilAsync(watch, last);
        WatchReader.AssertContiguous(events, 0, last);
        await AssertEventsMatchLogAsync(t.S, events);
    }

    [Theory]
    [InlineData(4096)]
    [InlineData(8)]
    public async Task WatchFromMidRevisionStartsRightAfterIt(int ring)
    {
        await using var t = await TempStore.OpenAsync(o => o with { WatchRingCapacity = ring });
        await ChurnAsync(t.S, 4, 50, "before");
        var mid = t.S.CurrentRevision / 2;

        using var watch = t.S.Watch("/w/", mid);
        var writes = ChurnAsync(t.S, 8, 50, "during");
        await writes;
        var last = t.S.CurrentRevision;

        var events = await WatchReader.ReadUntilAsync(watch, last);
        WatchReader.AssertContiguous(events, mid, last);
    }

    [Fact]
    public async Task ManyWatchersStartedDuringWritesEachSeeAContiguousStream()
    {
        // Starts race commits on purpose: each watch must begin exactly after its start revision.
        await using var t = await TempStore.OpenAsync(o => o with { WatchRingCapacity = 64 });
        var writes = ChurnAsync(t.S, 6, 80, "race");
        var watches = new List<(IStoreWatch Watch, long After)>();
        while (!writes.IsCompleted)
        {
            var after = t.S.CurrentRevision;
            watches.Add((t.S.Watch("/w/", after), after));
            await Task.Delay(1);
        }
        await writes;
        var last = t.S.CurrentRevision;
        try
        {
            foreach (var (watch, after) in watches.Where(w => w.After < last))
                WatchReader.AssertContiguous(await WatchReader.ReadUntilAsync(watch, last), after, last);
        }
        finally
        {
            foreach (var (watch, _) in watches) watch.Dispose();
        }
        Assert.NotEmpty(watches);
    }

    [Fact]
    public async Task WatchOnlySeesItsPrefixAndCarriesTypesAndPreviousValues()
    {
        await using var t = await TempStore.OpenAsync();
        using var watch = t.S.Watch("/a/", 0);
        var c = await t.S.CreateAsync("/a/1", Bytes.Of("v1"));
        await t.S.CreateAsync("/b/1", Bytes.Of("other"));
        var u = await t.S.UpdateAsync("/a/1", Bytes.Of("v2"), c.Revision);
        var d = await t.S.DeleteAsync("/a/1");

        var events = await WatchReader.ReadUntilAsync(watch, d.Revision);
        Assert.Equal([WatchEventType.Created, WatchEventType.Modified, WatchEventType.Deleted], events.Select(e => e.Type));
        Assert.Equal([c.Revision, u.Revision, d.Revision], events.Select(e => e.Revision));
        Assert.Equal("v1", Bytes.Str(events[1].Previous!.Value));
        Assert.Equal("v2", Bytes.Str(events[2].Value.Value)); // a delete carries the last value
        Assert.Equal(c.Revision, events[2].Value.CreateRevision);

        // The same history replayed from the log (a fresh store has an empty ring) has the same shape.
        await t.ReopenAsync();
        using var replay = t.S.Watch("/a/", 0);
        var replayed = await WatchReader.ReadUntilAsync(replay, d.Revision);
        Assert.Equal(events.Select(e => (e.Type, e.Revision, Bytes.Str(e.Value.Value))),
            replayed.Select(e => (e.Type, e.Revision, Bytes.Str(e.Value.Value))));
        Assert.Equal("v1", Bytes.Str(replayed[1].Previous!.Value));
    }

    [Fact]
    public async Task SlowWatcherIsEndedWithOverflowWithoutBlockingWriters()
    {
        await using var t = await TempStore.OpenAsync(o => o with { WatcherBufferLimit = 10 });
        using var slow = t.S.Watch("/s/", 0);
        for (var i = 0; i < 30; i++) Assert.True((await t.S.CreateAsync($"/s/{i}", Bytes.Of("v"))).Succeeded);

        var received = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var ex = await Assert.ThrowsAsync<WatchOverflowException>(async () =>
        {
            await foreach (var _ in slow.Events.ReadAllAsync(cts.Token)) received++;
        });
        Assert.Equal(10, received); // what fit in the buffer is still delivered, then the error
        Assert.Equal(10, ex.Limit);
    }

    [Fact]
    public async Task DisposingTheStoreEndsWatches()
    {
        var t = await TempStore.OpenAsync();
        var watch = t.S.Watch("/", 0);
        await t.DisposeAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.False(await watch.Events.WaitToReadAsync(cts.Token));
    }

    private static async Task AssertEventsMatchLogAsync(SqliteStore store, List<WatchEvent> events)
    {
        // Folding the events must give exactly the store's current contents.
        var state = new Dictionary<string, KeyValue>();
        foreach (var e in events)
        {
            if (e.Type == WatchEventType.Deleted) Assert.True(state.Remove(e.Value.Key));
            else state[e.Value.Key] = e.Value;
        }
        var list = await store.ListAsync("/w/");
        Assert.Equal(list.Items.Select(k => (k.Key, k.ModRevision)), state.Values.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => (k.Key, k.ModRevision)));
    }
}
