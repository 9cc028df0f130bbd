using Skiff.Client.LeaderElection;

namespace Skiff.Client.Tests.LeaderElection;

public sealed class LeaderElectorTests
{
    /// <summary>One lock object in memory, with a version for optimistic concurrency.</summary>
    private sealed class FakeStore
    {
        public readonly Lock Gate = new();
        public LeaderElectionRecord? Record;
        public long Version;
        public volatile bool FailWrites;
    }

    private sealed class FakeLock(FakeStore store) : ILeaseLock
    {
        private long _seen = -1;
        public string Describe => "fake/lock";

        public Task<LeaderElectionRecord?> GetAsync(CancellationToken ct)
        {
            lock (store.Gate) { _seen = store.Version; return Task.FromResult(store.Record); }
        }

        public Task CreateAsync(LeaderElectionRecord record, CancellationToken ct)
        {
            lock (store.Gate)
            {
                if (store.FailWrites) throw new IOException("unreachable");
                if (store.Record is not null) throw new InvalidOperationException("exists");
                store.Record = record; _seen = ++store.Version;
            }
            return Task.CompletedTask;
        }

        public Task UpdateAsync(LeaderElectionRecord record, CancellationToken ct)
        {
            lock (store.Gate)
            {
                if (store.FailWrites) throw new IOException("unreachable");
                if (_seen != store.Version) throw new InvalidOperationException("conflict");
                store.Record = record; _seen = ++store.Version;
            }
            return Task.CompletedTask;
        }
    }

    private static LeaderElectionConfig Config(string id, Func<CancellationToken, Task> lead, Action? stopped = null) => new()
    {
        Identity = id,
        LeaseDuration = TimeSpan.FromSeconds(1),
        RenewDeadline = TimeSpan.FromMilliseconds(600),
        RetryPeriod = TimeSpan.FromMilliseconds(50),
        OnStartedLeading = lead,
        OnStoppedLeading = stopped,
    };

    [Fact]
    public async Task ATakeoverWaitsForTheLeaseToExpireOnTheCandidatesClock()
    {
        var time = new ManualTimeProvider();
        var store = new FakeStore();
        var a = new LeaderElector(Config("a", _ => Task.CompletedTask) with { LeaseDuration = TimeSpan.FromSeconds(15) }, new FakeLock(store), time: time);
        var b = new LeaderElector(Config("b", _ => Task.CompletedTask) with { LeaseDuration = TimeSpan.FromSeconds(15) }, new FakeLock(store), time: time);

        Assert.True(await a.TryAcquireOrRenewAsync(default));
        Assert.Equal("a", store.Record!.HolderIdentity);
        Assert.False(await b.TryAcquireOrRenewAsync(default));
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(await a.TryAcquireOrRenewAsync(default), "the holder renews");
        Assert.False(await b.TryAcquireOrRenewAsync(default), "b saw a change: its wait starts again");
        time.Advance(TimeSpan.FromSeconds(14));
        Assert.False(await b.TryAcquireOrRenewAsync(default));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await b.TryAcquireOrRenewAsync(default), "15 s without a renewal: b takes over");
        Assert.Equal("b", store.Record!.HolderIdentity);
        Assert.Equal(1, store.Record.LeaseTransitions);
        Assert.Equal("b", b.ObservedLeader);
    }

    [Fact]
    public async Task OnlyOneLeadsAndTheOtherTakesOverAfterRelease()
    {
        var store = new FakeStore();
        var leading = 0;
        var maxLeading = 0;
        var started = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondStarted = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        Func<CancellationToken, Task> Lead(string id) => async ct =>
        {
            var now = Interlocked.Increment(ref leading);
            InterlockedMax(ref maxLeading, now);
            if (!started.TrySetResult(id)) secondStarted.TrySetResult(id);
            try { await Task.Delay(Timeout.Infinite, ct); }
            finally { Interlocked.Decrement(ref leading); }
        };
        using var ctsA = new CancellationTokenSource();
        using var ctsB = new CancellationTokenSource();
        var a = new LeaderElector(Config("a", Lead("a")), new FakeLock(store));
        var b = new LeaderElector(Config("b", Lead("b")), new FakeLock(store));
        var runA = a.RunAsync(ctsA.Token);
        var runB = b.RunAsync(ctsB.Token);

        var first = await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var (leader, leaderCts, other) = first == "a" ? (a, ctsA, b) : (b, ctsB, a);
        Assert.True(leader.IsLeader);
        Assert.False(other.IsLeader);
        leaderCts.Cancel();
        var second = await secondStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotEqual(first, second);
        Assert.Equal(1, maxLeading);
        Assert.Equal(second, store.Record!.HolderIdentity);
        ctsA.Cancel(); ctsB.Cancel();
        await Task.WhenAll(runA, runB).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Null(store.Record!.HolderIdentity);
    }

    [Fact]
    public async Task ALeaderThatCannotRenewStopsLeading()
    {
        var store = new FakeStore();
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var leaderToken = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = new LeaderElector(Config("a", ct => { leaderToken.SetResult(ct); return Task.Delay(Timeout.Infinite, ct); }, () => stopped.SetResult()), new FakeLock(store));
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var run = a.RunAsync(cts.Token);
        var token = await leaderToken.Task.WaitAsync(TimeSpan.FromSeconds(10));
        store.FailWrites = true;
        await stopped.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(token.IsCancellationRequested, "the leader's work is cancelled before OnStoppedLeading");
        Assert.False(a.IsLeader);
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }
}
