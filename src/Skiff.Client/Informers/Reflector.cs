using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skiff.Client.Rest;
using Skiff.Client.Typed;
using Skiff.Client.Watch;

namespace Skiff.Client.Informers;

/// <summary>Where a <see cref="Reflector{T}"/> delivers what it lists and watches.</summary>
public interface IReflectorSink<T> where T : class
{
    /// <summary>The complete set of objects at <paramref name="resourceVersion"/> (initial list or relist).</summary>
    void Replace(IReadOnlyList<T> items, string resourceVersion);
    /// <summary>One watch event (never Error or Bookmark).</summary>
    void Apply(WatchEventType type, T obj);
}

/// <summary>
/// Keeps a sink in step with one resource, as upstream's reflector: list (paged), then watch from the
/// list's resourceVersion, resuming after dropped connections; on 410 Gone, or any failure it cannot resume
/// from, it lists again (with backoff on errors). Run one <see cref="RunAsync"/> at a time; the
/// <see cref="LastSyncResourceVersion"/> property is safe to read from any thread.
/// </summary>
public sealed class Reflector<T>(ResourceClient<T> client, string? ns, ListOptions selectors, IReflectorSink<T> sink, ILogger? logger = null)
    where T : class
{
    private readonly ILogger _log = logger ?? NullLogger.Instance;
    private volatile string _lastSync = "";

    public int PageSize { get; init; } = 500;
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(800);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The newest resourceVersion applied to the sink.</summary>
    public string LastSyncResourceVersion => _lastSync;

    /// <summary>Number of completed lists (1 after the initial one); relists after 410 add to it.</summary>
    public int ListCount => _lists;
    private int _lists;

    public async Task RunAsync(CancellationToken ct)
    {
        var backoff = MinBackoff;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var list = await client.ListAllAsync(ns, selectors with { Limit = PageSize, Continue = null, ResourceVersion = null }, ct).ConfigureAwait(false);
                sink.Replace(list.Items, list.ResourceVersion);
                _lastSync = list.ResourceVersion;
                Interlocked.Increment(ref _lists);
                _log.LogDebug("Listed {Count} {Resource} at resourceVersion {ResourceVersion}", list.Items.Count, client.Resource.Plural, list.ResourceVersion);
                backoff = MinBackoff;

                var watcher = new ResumingWatcher<T>(client, ns, selectors with { ResourceVersion = list.ResourceVersion, TimeoutSeconds = null }, _log);
                await foreach (var e in watcher.WatchAsync(ct).ConfigureAwait(false))
                {
                    if (e.Type != WatchEventType.Bookmark) sink.Apply(e.Type, e.Object!);
                    if (e.ResourceVersion.Length > 0) _lastSync = e.ResourceVersion;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (ApiException e) when (e.IsGone)
            {
                _log.LogInformation("Watch of {Resource} expired at resourceVersion {ResourceVersion} ({Message}); relisting",
                    client.Resource.Plural, _lastSync, e.Status.Message);
            }
            catch (Exception e)
            {
                // The connection boundary: whatever went wrong, the cache must keep trying to catch up.
                _log.LogWarning("List and watch of {Resource} failed ({Type}: {Error}); relisting in {Backoff}", client.Resource.Plural, e.GetType().Name, e.Message, backoff);
                try { await Task.Delay(backoff * (1 + Random.Shared.NextDouble() * 0.2), ct).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }
}
