using Skiff.Agent.Kubelet;

namespace Skiff.Agent.Tests.Kubelet;

public sealed class BackoffTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_first_failure_restarts_at_once_then_the_delay_doubles_from_10s_to_5m()
    {
        var time = new ManualTime(T0);
        var backoff = new Backoff(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), time);

        Assert.False(backoff.IsInBackoffSince("pod/c", time.GetUtcNow()));
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 8; i++)
        {
            backoff.Next("pod/c", time.GetUtcNow());
            delays.Add(backoff.Get("pod/c"));
            time.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Equal(new[] { 10, 20, 40, 80, 160, 300, 300, 300 }.Select(s => TimeSpan.FromSeconds(s)), delays);
    }

    [Fact]
    public void The_delay_is_measured_from_the_failure_time()
    {
        var time = new ManualTime(T0);
        var backoff = new Backoff(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), time);
        var finished = time.GetUtcNow();
        backoff.Next("k", finished);

        time.Advance(TimeSpan.FromSeconds(9));
        Assert.True(backoff.IsInBackoffSince("k", finished));
        Assert.Equal(finished + TimeSpan.FromSeconds(10), backoff.RetryAt("k", finished));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(backoff.IsInBackoffSince("k", finished));
    }

    [Fact]
    public void A_key_quiet_for_twice_the_maximum_starts_over()
    {
        var time = new ManualTime(T0);
        var backoff = new Backoff(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), time);
        for (var i = 0; i < 4; i++) backoff.Next("k", time.GetUtcNow());
        Assert.Equal(TimeSpan.FromSeconds(80), backoff.Get("k"));

        time.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(TimeSpan.Zero, backoff.Get("k"));
        backoff.Next("k", time.GetUtcNow());
        Assert.Equal(TimeSpan.FromSeconds(10), backoff.Get("k"));
    }

    [Fact]
    public void Reset_by_prefix_forgets_one_pods_keys_only()
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5));
        backoff.Next("uid1/a", backoff.Now);
        backoff.Next("uid2/a", backoff.Now);
        backoff.ResetPrefix("uid1/");
        Assert.Equal(TimeSpan.Zero, backoff.Get("uid1/a"));
        Assert.Equal(TimeSpan.FromSeconds(10), backoff.Get("uid2/a"));
        Assert.Equal("10s", PodSyncer.FormatDelay(TimeSpan.FromSeconds(10)));
        Assert.Equal("2m40s", PodSyncer.FormatDelay(TimeSpan.FromSeconds(160)));
        Assert.Equal("5m0s", PodSyncer.FormatDelay(TimeSpan.FromMinutes(5)));
    }
}
