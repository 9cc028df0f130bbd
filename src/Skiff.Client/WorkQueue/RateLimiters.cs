namespace Skiff.Client.WorkQueue;

/// <summary>Decides how long an item waits before it is retried.</summary>
public interface IRateLimiter<in T>
{
    /// <summary>The delay for this retry of <paramref name="item"/> (counts the retry).</summary>
    TimeSpan When(T item);
    /// <summary>Forgets <paramref name="item"/>'s failures (after it succeeded).</summary>
    void Forget(T item);
    /// <summary>How many times <paramref name="item"/> was retried since it was last forgotten.</summary>
    int NumRequeues(T item);
}

/// <summary>
/// Per-item exponential backoff: base·2^failures capped at max, stretched by a random jitter of up to
/// <see cref="JitterFactor"/> (never past max) so that items failing together do not retry in lockstep.
/// Safe from any thread.
/// </summary>
public sealed class ItemExponentialFailureRateLimiter<T>(TimeSpan baseDelay, TimeSpan maxDelay, double jitterFactor = 0.1) : IRateLimiter<T>
    where T : notnull
{
    private readonly Lock _lock = new();
    private readonly Dictionary<T, int> _failures = [];

    public double JitterFactor => jitterFactor;

    public TimeSpan When(T item)
    {
        int exp;
        lock (_lock)
        {
            exp = _failures.GetValueOrDefault(item);
            _failures[item] = exp + 1;
        }
        var ticks = baseDelay.Ticks * Math.Pow(2, Math.Min(exp, 62));
        if (ticks >= maxDelay.Ticks) return maxDelay;
        ticks *= 1 + Random.Shared.NextDouble() * jitterFactor;
        return TimeSpan.FromTicks((long)Math.Min(ticks, maxDelay.Ticks));
    }

    public void Forget(T item) { lock (_lock) _failures.Remove(item); }

    public int NumRequeues(T item) { lock (_lock) return _failures.GetValueOrDefault(item); }
}

/// <summary>
/// An overall token bucket (qps, burst) shared by all items: each call takes a token, or reserves the next
/// one and returns how long until it is due. Does not track items. Safe from any thread.
/// </summary>
public sealed class TokenBucketRateLimiter<T>(double qps, int burst, TimeProvider? time = null) : IRateLimiter<T>
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private double _tokens = burst;
    private long _last = (time ?? TimeProvider.System).GetTimestamp();

    public TimeSpan When(T item)
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            _tokens = Math.Min(burst, _tokens + _time.GetElapsedTime(_last, now).TotalSeconds * qps);
            _last = now;
            _tokens -= 1;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / qps);
        }
    }

    public void Forget(T item) { }
    public int NumRequeues(T item) => 0;
}

/// <summary>The longest delay of several limiters (each is charged on every call). Safe from any thread if they are.</summary>
public sealed class MaxOfRateLimiter<T>(params IRateLimiter<T>[] limiters) : IRateLimiter<T>
{
    public TimeSpan When(T item)
    {
        var max = TimeSpan.Zero;
        foreach (var l in limiters) { var d = l.When(item); if (d > max) max = d; }
        return max;
    }

    public void Forget(T item) { foreach (var l in limiters) l.Forget(item); }

    public int NumRequeues(T item) => limiters.Max(l => l.NumRequeues(item));
}

/// <summary>Upstream's defaults. Stateless; thread-safe.</summary>
public static class RateLimiters
{
    /// <summary>Per item 5 ms doubling to 1000 s (with jitter), and overall 10 qps with a burst of 100.</summary>
    public static IRateLimiter<T> Default<T>(TimeProvider? time = null) where T : notnull => new MaxOfRateLimiter<T>(
        new ItemExponentialFailureRateLimiter<T>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000)),
        new TokenBucketRateLimiter<T>(10, 100, time));
}
