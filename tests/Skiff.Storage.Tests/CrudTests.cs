namespace Skiff.Storage.Tests;

public sealed class CrudTests
{
    [Fact]
    public async Task CreateThenGetReturnsValueAndSecondCreateSeesKeyExists()
    {
        await using var t = await TempStore.OpenAsync();
        var r = await t.S.CreateAsync("/a", Bytes.Of("one"));
        Assert.Equal(WriteStatus.Ok, r.Status);
        Assert.Equal(1, r.Revision);
        Assert.Equal(1, t.S.CurrentRevision);

        var kv = await t.S.GetAsync("/a");
        Assert.NotNull(kv);
        Assert.Equal("one", Bytes.Str(kv.Value));
        Assert.Equal(1, kv.CreateRevision);
        Assert.Equal(1, kv.ModRevision);

        var again = await t.S.CreateAsync("/a", Bytes.Of("two"));
        Assert.Equal(WriteStatus.KeyExists, again.Status);
        Assert.Equal("one", Bytes.Str(again.Current!.Value));
        Assert.Equal(1, t.S.CurrentRevision); // a failed compare consumes no revision
        Assert.Null(await t.S.GetAsync("/missing"));
    }

    [Fact]
    public async Task EmptyValueRoundTrips()
    {
        await using var t = await TempStore.OpenAsync();
        Assert.True((await t.S.CreateAsync("/e", ReadOnlyMemory<byte>.Empty)).Succeeded);
        var kv = await t.S.GetAsync("/e");
        Assert.NotNull(kv);
        Assert.Empty(kv.Value);
    }

    [Fact]
    public async Task UpdateChecksExpectedRevision()
    {
        await using var t = await TempStore.OpenAsync();
        Assert.Equal(WriteStatus.NotFound, (await t.S.UpdateAsync("/a", Bytes.Of("x"), 1)).Status);
        var c = await t.S.CreateAsync("/a", Bytes.Of("v1"));

        var stale = await t.S.UpdateAsync("/a", Bytes.Of("v2"), c.Revision + 5);
        Assert.Equal(WriteStatus.Conflict, stale.Status);
        Assert.Equal("v1", Bytes.Str(stale.Current!.Value));
        Assert.Equal(c.Revision, stale.Current.ModRevision);

        var u = await t.S.UpdateAsync("/a", Bytes.Of("v2"), c.Revision);
        Assert.Equal(WriteStatus.Ok, u.Status);
        Assert.Equal(c.Revision + 1, u.Revision);
        var kv = (await t.S.GetAsync("/a"))!;
        Assert.Equal("v2", Bytes.Str(kv.Value));
        Assert.Equal(c.Revision, kv.CreateRevision);
        Assert.Equal(u.Revision, kv.ModRevision);

        // The old revision is still readable until compaction.
        Assert.Equal("v1", Bytes.Str((await t.S.GetAsync("/a", c.Revision))!.Value));
    }

    [Fact]
    public async Task DeleteChecksRevisionReturnsDeletedValueAndAllowsRecreate()
    {
        await using var t = await TempStore.OpenAsync();
        Assert.Equal(WriteStatus.NotFound, (await t.S.DeleteAsync("/a")).Status);
        var c = await t.S.CreateAsync("/a", Bytes.Of("v1"));

        Assert.Equal(WriteStatus.Conflict, (await t.S.DeleteAsync("/a", c.Revision + 1)).Status);
        var d = await t.S.DeleteAsync("/a", c.Revision);
        Assert.Equal(WriteStatus.Ok, d.Status);
        Assert.Equal("v1", Bytes.Str(d.Current!.Value));
        Assert.Equal(c.Revision + 1, d.Revision);
        Assert.Null(await t.S.GetAsync("/a"));
        Assert.Equal(WriteStatus.NotFound, (await t.S.DeleteAsync("/a")).Status);
        Assert.Equal(WriteStatus.NotFound, (await t.S.UpdateAsync("/a", Bytes.Of("x"), d.Revision)).Status);

        var again = await t.S.CreateAsync("/a", Bytes.Of("v2"));
        Assert.Equal(WriteStatus.Ok, again.Status);
        Assert.Equal(again.Revision, (await t.S.GetAsync("/a"))!.CreateRevision);
    }

    [Fact]
    public async Task ListHonoursPrefixLimitStartKeyAndRevision()
    {
        await using var t = await TempStore.OpenAsync();
        for (var i = 1; i <= 5; i++) await t.S.CreateAsync($"/pods/ns/p{i}", Bytes.Of($"v{i}"));
        await t.S.CreateAsync("/pods/other/x", Bytes.Of("o"));
        await t.S.CreateAsync("/pods/ns0", Bytes.Of("not under /pods/ns/"));
        var before = t.S.CurrentRevision;

        var page1 = await t.S.ListAsync("/pods/ns/", limit: 2);
        Assert.Equal(["/pods/ns/p1", "/pods/ns/p2"], page1.Items.Select(k => k.Key));
        Assert.True(page1.More);
        Assert.Equal(3, page1.Remaining);
        Assert.Equal(before, page1.Revision);

        // Writes after the first page must not show in the continuation read at the same revision.
        await t.S.DeleteAsync("/pods/ns/p3");
        await t.S.UpdateAsync("/pods/ns/p4", Bytes.Of("changed"), (await t.S.GetAsync("/pods/ns/p4"))!.ModRevision);
        await t.S.CreateAsync("/pods/ns/p6", Bytes.Of("v6"));

        var page2 = await t.S.ListAsync("/pods/ns/", startKey: page1.Items[^1].Key + "\0", limit: 10, revision: page1.Revision);
        Assert.Equal(["/pods/ns/p3", "/pods/ns/p4", "/pods/ns/p5"], page2.Items.Select(k => k.Key));
        Assert.Equal("v4", Bytes.Str(page2.Items[1].Value));
        Assert.False(page2.More);

        var now = await t.S.ListAsync("/pods/ns/");
        Assert.Equal(["/pods/ns/p1", "/pods/ns/p2", "/pods/ns/p4", "/pods/ns/p5", "/pods/ns/p6"], now.Items.Select(k => k.Key));
        Assert.Equal("changed", Bytes.Str(now.Items[2].Value));
        Assert.Equal(t.S.CurrentRevision, now.Revision);

        Assert.Equal(5, await t.S.CountAsync("/pods/ns/"));
        Assert.Equal(7, (await t.S.ListAsync("")).Items.Count);
        await Assert.ThrowsAsync<FutureRevisionException>(() => t.S.ListAsync("/pods/", revision: t.S.CurrentRevision + 1));
    }

    [Fact]
    public async Task ConcurrentCreatesGetDistinctIncreasingRevisions()
    {
        await using var t = await TempStore.OpenAsync();
        var tasks = Enumerable.Range(0, 200)
            .Select(i => Task.Run(() => t.S.CreateAsync($"/c/{i:D3}", Bytes.Of($"v{i}"))))
            .ToArray();
        var results = await Task.WhenAll(tasks);

        Assert.All(results, r => Assert.Equal(WriteStatus.Ok, r.Status));
        var revisions = results.Select(r => r.Revision).OrderBy(r => r).ToArray();
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), revisions);
        Assert.Equal(200, t.S.CurrentRevision);
        // Two hundred writes queued at once must share transactions (one fsync per group).
        Assert.True(t.S.CommittedWriteTransactions < 200, $"{t.S.CommittedWriteTransactions} transactions for 200 writes");
        for (var i = 0; i < 200; i++)
            Assert.Equal(results[i].Revision, (await t.S.GetAsync($"/c/{i:D3}"))!.ModRevision);
    }

    [Fact]
    public async Task ConcurrentUpdatesOfOneKeyAdmitExactlyOneWinnerPerRevision()
    {
        await using var t = await TempStore.OpenAsync();
        var c = await t.S.CreateAsync("/k", Bytes.Of("0"));
        var results = await Task.WhenAll(Enumerable.Range(0, 50)
            .Select(i => Task.Run(() => t.S.UpdateAsync("/k", Bytes.Of($"{i}"), c.Revision))));
        Assert.Single(results, r => r.Status == WriteStatus.Ok);
        Assert.Equal(49, results.Count(r => r.Status == WriteStatus.Conflict));
    }

    [Fact]
    public async Task CancelledWriteIsNotApplied()
    {
        await using var t = await TempStore.OpenAsync();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => t.S.CreateAsync("/x", Bytes.Of("v"), cts.Token));
        Assert.Null(await t.S.GetAsync("/x"));
        Assert.Equal(0, t.S.CurrentRevision);
    }

    [Fact]
    public async Task ASecondStoreOnTheSameFileIsRefused()
    {
        await using var t = await TempStore.OpenAsync();
        var ex = await Assert.ThrowsAsync<IOException>(() => Skiff.Storage.Sqlite.SqliteStore.OpenAsync(t.Options));
        Assert.Contains("already open", ex.Message);
    }
}
