using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skiff.Client.Rest;
using Skiff.Client.Typed;

namespace Skiff.Client.Watch;

/// <summary>
/// A watch that survives dropped connections: when the stream ends (server timeout, restart, network) it
/// reconnects from the last resourceVersion it delivered (bookmarks included), backing off while the server
/// is unreachable, so no event is lost or repeated. Only an expired resourceVersion (410 Gone) ends it, as
/// an <see cref="ApiException"/> with <see cref="ApiException.IsGone"/>: the caller must relist.
/// One enumeration at a time; not thread-safe.
/// </summary>
public sealed class ResumingWatcher<T>(ResourceClient<T> client, string? ns, ListOptions options, ILogger? logger = null) where T : class
{
    private readonly ILogger _log = logger ?? NullLogger.Instance;

    /// <summary>The newest resourceVersion seen (from an event or bookmark).</summary>
    public string ResourceVersion { get; private set; } = options.ResourceVersion ?? "";

    /// <summary>Bounds of the reconnect backoff.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Yields events from <see cref="ResourceVersion"/> on, bookmarks included, until <paramref name="ct"/> fires.</summary>
    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(ResourceVersion) || ResourceVersion == "0")
            throw new InvalidOperationException("a resuming watch needs a starting resourceVersion (list first)");
        var backoff = MinBackoff;
        while (!ct.IsCancellationRequested)
        {
            // Upstream's reflector also bounds each watch (5–10 min) so that load spreads across servers.
            var watchOptions = options with
            {
                ResourceVersion = ResourceVersion,
                ResourceVersionMatch = null,
                AllowWatchBookmarks = true,
                TimeoutSeconds = options.TimeoutSeconds ?? 300 + Random.Shared.Next(300),
            };
            var enumerator = client.WatchAsync(ns, watchOptions, ct).GetAsyncEnumerator(ct);
            var delivered = false;
            Exception? failure = null;
            try
            {
                while (true)
                {
                    WatchEvent<T> e;
                    try
                    {
                        if (!await enumerator.MoveNextAsync().ConfigureAwait(false)) break;
                        e = enumerator.Current;
                    }
                    catch (OperationCanceledException) when (ct.IsCancellationRequested) { yield break; }
                    catch (ApiException ex) when (ex.IsGone) { throw; }
                    catch (Exception ex) when (ex is HttpRequestException or IOException or ApiException or System.Text.Json.JsonException or OperationCanceledException)
                    {
                        failure = ex;
                        break;
                    }
                    if (e.Type == WatchEventType.Error)
                    {
                        var status = e.Status ?? ApiException.FromCode(500, "watch error without status");
                        var error = new ApiException(status, $"watch {client.Resource.Plural}");
                        if (error.IsGone) throw error;
                        failure = error;
                        break;
                    }
                    if (!string.IsNullOrEmpty(e.ResourceVersion)) ResourceVersion = e.ResourceVersion;
                    delivered = true;
                    yield return e;
                }
            }
            finally
            {
                await enumerator.DisposeAsync().ConfigureAwait(false);
            }
            if (ct.IsCancellationRequested) yield break;
            if (delivered) backoff = MinBackoff;
            if (failure is not null)
                _log.LogInformation("Watch of {Resource} dropped at resourceVersion {ResourceVersion}: {Error}; resuming in {Backoff}",
                    client.Resource.Plural, ResourceVersion, failure.Message, backoff);
            else
                _log.LogDebug("Watch of {Resource} ended by the server at resourceVersion {ResourceVersion}; resuming", client.Resource.Plural, ResourceVersion);
            if (failure is not null || !delivered)
            {
                try { await Task.Delay(Jitter(backoff), ct).ConfigureAwait(false); }
                catch (OperationCanceledException) { yield break; }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    private static TimeSpan Jitter(TimeSpan d) => d * (1 + Random.Shared.NextDouble() * 0.2);
}
