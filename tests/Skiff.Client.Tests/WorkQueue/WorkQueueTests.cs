using Skiff.Client.WorkQueue;

namespace Skiff.Client.Tests.WorkQueue;

public sealed class WorkQueueTests
{
    private static async Task<(string Item, bool ShutDown)?> TryGetAsync(WorkQueue<string> q, int ms)
    {
        using var cts = new CancellationTokenSource(ms);
        try { return await q.GetAsync(cts.Token); }
        catch (OperationCanceledException) { return null; }
    }

    [Fact]
    public async Task AnItemAddedWhileQueuedIsNotDuplicated()
    {
        var q = new WorkQueue<string>();
        q.Add("a");
        q.Add("b");
        q.Add("a");
        Assert.Equal(2, q.Count);
        Assert.Equal("a", (await q.GetAsync()).Item);
        Assert.Equal("b", (await q.GetAsync()).Item);
        Assert.Null(await TryGetAsync(q, 50));
    }

    [Fact]
    public async Task AnItemAddedWhileProcessingIsRequeuedOnlyAfterDone()
    {
        var q = new WorkQueue<string>();
        q.Add("a");
        var (item, _) = await q.GetAsync();
        q.Add("a");
        q.Add("a");
        Assert.Equal(0, q.Count);
        // A second worker must not get the item that is being processed.
        var second = q.GetAsync().AsTask();
        Assert.False(second.IsCompleted);
        q.Done(item);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.Equal("a", (await second.WaitAsync(cts.Token)).Item);
        Assert.Equal(0, q.Count);
    }

    [Fact]
    public async Task ShutDownWakesWorkersHandsOutQueuedItemsAndDrains()
    {
        var q = new WorkQueue<string>();
        var waiting = q.GetAsync().AsTask();
        q.Add("x");
        var got = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        q.Add("y");
        var shutdown = q.ShutDownAsync(drain: true);
        q.Add("z");
        Assert.Equal("y", (await q.GetAsync()).Item);
        Assert.True((await q.GetAsync()).ShutDown, "z was added after shutdown and is ignored");
        Assert.False(shutdown.IsCompleted, "x and y are still being processed");
        q.Done(got.Item);
        q.Done("y");
        await shutdown.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task DelayedItemsArriveAfterTheirDelayWithTheEarliestDueTimeKept()
    {
        var q = new DelayingQueue<string>();
        q.AddAfter("late", TimeSpan.FromSeconds(30));
        q.AddAfter("late", TimeSpan.FromMilliseconds(100));
        Assert.Equal(0, q.Count);
        Assert.Equal(1, q.WaitingCount);
        var started = DateTime.UtcNow;
        var (item, _) = await q.GetAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("late", item);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(90));
        await q.ShutDownAsync(drain: false);
    }

    [Fact]
    public async Task AddRateLimitedBacksOffAndForgetResets()
    {
        var q = new RateLimitingQueue<string>(new ItemExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1), 0));
        q.AddRateLimited("a");
        q.AddRateLimited("a");
        Assert.Equal(2, q.NumRequeues("a"));
        var (item, _) = await q.GetAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("a", item);
        q.Forget(item);
        q.Done(item);
        Assert.Equal(0, q.NumRequeues("a"));
        await q.ShutDownAsync();
    }
}

public sealed class RateLimiterTests
{
    [Fact]
    public void ExponentialBackoffDoublesFromBaseToMax()
    {
        var l = new ItemExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000), jitterFactor: 0);
        var delays = Enumerable.Range(0, 5).Select(_ => l.When("a").TotalMilliseconds).ToArray();
        Assert.Equal([5, 10, 20, 40, 80], delays);
        Assert.Equal(TimeSpan.FromMilliseconds(5), l.When("b"));
        for (var i = 0; i < 40; i++) l.When("a");
        Assert.Equal(TimeSpan.FromSeconds(1000), l.When("a"));
        l.Forget("a");
        Assert.Equal(0, l.NumRequeues("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(5), l.When("a"));
    }

    [Fact]
    public void JitterStretchesWithinItsFactorAndNeverPastMax()
    {
        var l = new ItemExponentialFailureRateLimiter<int>(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(150), jitterFactor: 0.5);
        var first = Enumerable.Range(0, 200).Select(i => l.When(i).TotalMilliseconds).ToArray();
        Assert.All(first, d => Assert.InRange(d, 100, 150));
        Assert.True(first.Distinct().Count() > 10, "jitter spreads the delays");
        Assert.Equal(150, l.When(0).TotalMilliseconds);
    }

    [Fact]
    public void TokenBucketAllowsTheBurstThenSpacesAtQps()
    {
        var time = new ManualTimeProvider();
        var l = new TokenBucketRateLimiter<string>(10, 100, time);
        for (var i = 0; i < 100; i++) Assert.Equal(TimeSpan.Zero, l.When("x" + i));
        Assert.Equal(100, l.When("over").TotalMilliseconds, 3);
        Assert.Equal(200, l.When("over2").TotalMilliseconds, 3);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.Zero, l.When("after"));
    }

    [Fact]
    public void DefaultIsTheMaxOfBackoffAndBucket()
    {
        var time = new ManualTimeProvider();
        var l = RateLimiters.Default<string>(time);
        Assert.InRange(l.When("a").TotalMilliseconds, 5, 5.5);
        Assert.InRange(l.When("a").TotalMilliseconds, 10, 11);
        for (var i = 0; i < 98; i++) l.When("k" + i);
        // The bucket is empty now: a fresh item still waits for the next token.
        Assert.InRange(l.When("fresh").TotalMilliseconds, 99, 101);
        Assert.Equal(2, l.NumRequeues("a"));
    }
}
