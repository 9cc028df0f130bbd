namespace Skiff.Client.WorkQueue;

/// <summary>
/// The controller's queue: de-duplicating (<see cref="WorkQueue{T}"/>), delaying (<see cref="DelayingQueue{T}"/>)
/// and rate limited: <see cref="AddRateLimited"/> waits as long as the limiter says (by default per-item
/// exponential backoff and an overall token bucket); <see cref="Forget"/> after success resets the item's
/// backoff. Safe from any thread.
/// </summary>
public sealed class RateLimitingQueue<T>(IRateLimiter<T>? limiter = null, TimeProvider? time = null) : DelayingQueue<T>(time)
    where T : notnull
{
    private readonly IRateLimiter<T> _limiter = limiter ?? RateLimiters.Default<T>(time);

    /// <summary>Adds <paramref name="item"/> once the rate limiter allows it (a retry after a failure).</summary>
    public void AddRateLimited(T item) => AddAfter(item, _limiter.When(item));

    /// <summary>Stops tracking <paramref name="item"/>'s failures (it does not remove it from the queue).</summary>
    public void Forget(T item) => _limiter.Forget(item);

    /// <summary>How many times <paramref name="item"/> was retried since it was last forgotten.</summary>
    public int NumRequeues(T item) => _limiter.NumRequeues(item);
}
