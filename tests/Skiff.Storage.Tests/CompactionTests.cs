namespace Skiff.Storage.Tests;

public sealed class CompactionTests
{
    [Fact]
    public async Task CompactionMakesOldRevisionsGoneButKeepsCurrentState()
    {
        await using var t = await TempStore.OpenAsync();
        var c = await t.S.CreateAsync("/k", Bytes.Of("v1"));
        var u = await t.S.UpdateAsync("/k", Bytes.Of("v2"), c.Revision);
        await t.S.CreateAsync("/gone", Bytes.Of("x"));
        await t.S.DeleteAsync("/gone");
        var keep = await t.S.CreateAsync("/later", Bytes.Of("y"));

        await t.S.CompactAsync(keep.Revision - 1);
        Assert.Equal(keep.Revision - 1, t.S.CompactRevision);

        Assert.Throws<CompactedException>(() => t.S.Watch("/", c.Revision));
        await Assert.ThrowsAsync<CompactedException>(() => t.S.GetAsync("/k", c.Revision));
        await Assert.ThrowsAsync<CompactedException>(() => t.S.ListAsync("/", revision: 1));

        // Reading at the compact revision itself still works, and sees what was live then.
        var atCompact = await t.S.ListAsync("/", revision: t.S.CompactRevision);
        Assert.Equal(["/k"], atCompact.Items.Select(k => k.Key));
        Assert.Equal("v2", Bytes.Str((await t.S.GetAsync("/k"))!.Value));
        Assert.Equal(u.Revision, (await t.S.GetAsync("/k"))!.ModRevision);

        // Watching from the compact revision replays only what came after it.
        using var watch = t.S.Watch("/", t.S.CompactRevision);
        var events = await WatchReader.ReadUntilAsync(watch, keep.Revision);
        Assert.Equal([keep.Revision], events.Select(e => e.Revision));
    }

    [Fact]
    public async Task CompactRevisionAndRevisionCounterSurviveReopen()
    {
        await using var t = await TempStore.OpenAsync();
        await t.S.CreateAsync("/a", Bytes.Of("1"));
        await t.S.CreateAsync("/b", Bytes.Of("2"));
        var d = await t.S.DeleteAsync("/b"); // the newest row is a tombstone, which compaction removes
        await t.S.CompactAsync(d.Revision);

        await t.ReopenAsync();
        Assert.Equal(d.Revision, t.S.CurrentRevision);
        Assert.Equal(d.Revision, t.S.CompactRevision);
        Assert.Throws<CompactedException>(() => t.S.Watch("/", 1));
        var next = await t.S.CreateAsync("/c", Bytes.Of("3"));
        Assert.Equal(d.Revision + 1, next.Revision);
        Assert.Equal(["/a", "/c"], (await t.S.ListAsync("/")).Items.Select(k => k.Key));
    }

    [Fact]
    public async Task CompactingTheFutureIsRefused()
    {
        await using var t = await TempStore.OpenAsync();
        await t.S.CreateAsync("/a", Bytes.Of("1"));
        await Assert.ThrowsAsync<FutureRevisionException>(() => t.S.CompactAsync(5));
    }

    [Fact]
    public async Task CatchUpWatchEndsWithCompactedWhenHistoryIsRemovedUnderIt()
    {
        // A tiny ring forces the log path. The history is longer than one page (512 rows), so
        // the watch stalls inside it (nobody reads, buffer of 5) while compaction removes the rest.
        await using var t = await TempStore.OpenAsync(o => o with { WatchRingCapacity = 2, WatcherBufferLimit = 5 });
        await Task.WhenAll(Enumerable.Range(0, 700).Select(i => t.S.CreateAsync($"/k{i}", Bytes.Of("v"))));
        using var watch = t.S.Watch("/", 0);
        await t.S.CompactAsync(t.S.CurrentRevision - 1);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var seen = new List<long>();
        var ex = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var e in watch.Events.ReadAllAsync(cts.Token)) seen.Add(e.Revision);
        });
        Assert.IsType<CompactedException>(ex);
        Assert.Equal(Enumerable.Range(1, seen.Count).Select(i => (long)i), seen); // no gap before the error
        Assert.True(seen.Count < 700);
    }

    [Fact]
    public async Task BackgroundCompactorKeepsTheConfiguredWindow()
    {
        await using var t = await TempStore.OpenAsync(o => o with
        {
            CompactInterval = TimeSpan.FromMilliseconds(20),
            CompactKeep = 10,
            CompactMinAge = TimeSpan.Zero,
        });
        for (var i = 0; i < 50; i++) await t.S.CreateAsync($"/k{i}", Bytes.Of("v"));

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (t.S.CompactRevision < 40 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(40, t.S.CompactRevision);
        Assert.Equal(50, (await t.S.ListAsync("/")).Items.Count);
    }
}
