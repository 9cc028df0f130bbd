using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ObjectReference = Skiff.Api.Models.Core.V1.ObjectReference;
using Skiff.Api.Models.Events.V1;
using Skiff.Client.Rest;

namespace Skiff.Client.Events;

/// <summary>Who reports events, and how many may wait to be written. Immutable record.</summary>
public sealed record EventRecorderOptions
{
    /// <summary>e.g. "skiff.io/scheduler".</summary>
    public required string ReportingController { get; init; }
    /// <summary>e.g. "skiff-scheduler-node1".</summary>
    public required string ReportingInstance { get; init; }
    /// <summary>Events waiting to be written; past it new ones are dropped (and logged).</summary>
    public int QueueCapacity { get; init; } = 1000;
    /// <summary>An identical event within this window joins the earlier one's series.</summary>
    public TimeSpan SeriesWindow { get; init; } = TimeSpan.FromMinutes(6);
}

/// <summary>
/// Records events.k8s.io/v1 Events without ever blocking the caller: <see cref="Record"/> drops into a
/// bounded queue (dropping, with a log line, when full) and one background loop writes. As upstream, an
/// event identical to one recorded within the series window (same regarding, related, action, reason and
/// reporting controller) does not create a new Event: the first one gets a <c>series</c> whose count and
/// lastObservedTime are PATCHed (bursts are coalesced into one patch). <see cref="Record"/> is safe from
/// any thread; what the API server shows lags by the write delay.
/// </summary>
public sealed class EventRecorder : IAsyncDisposable
{
    private readonly IEventSink _sink;
    private readonly EventRecorderOptions _options;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly Channel<Event> _queue;
    private readonly Dictionary<SeriesKey, Series> _series = [];
    private readonly Task _loop;
    private long _dropped;

    public EventRecorder(IEventSink sink, EventRecorderOptions options, ILogger? logger = null, TimeProvider? time = null)
    {
        _sink = sink;
        _options = options;
        _log = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _queue = Channel.CreateBounded<Event>(new BoundedChannelOptions(options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // with TryWrite: refuse instead of waiting
            SingleReader = true,
        });
        _loop = Task.Run(WriteLoopAsync);
    }

    /// <summary>Events dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <param name="type">"Normal" or "Warning".</param>
    /// <param name="reason">Why, in UpperCamelCase (e.g. "FailedScheduling").</param>
    /// <param name="action">What was done or failed (e.g. "Scheduling").</param>
    /// <param name="note">Human-readable detail (at most 1 KiB is kept).</param>
    public void Record(ObjectReference regarding, ObjectReference? related, string type, string reason, string action, string note)
    {
        var now = _time.GetUtcNow();
        var e = new Event
        {
            Metadata = new()
            {
                Name = $"{regarding.Name}.{now.ToUnixTimeMilliseconds() * 1_000_000 + Random.Shared.Next(1_000_000):x}",
                Namespace = string.IsNullOrEmpty(regarding.Namespace) ? "default" : regarding.Namespace,
            },
            EventTime = now,
            Regarding = regarding,
            Related = related,
            Type = type,
            Reason = reason,
            Action = action,
            Note = note.Length > 1024 ? note[..1024] : note,
            ReportingController = _options.ReportingController,
            ReportingInstance = _options.ReportingInstance,
        };
        if (!_queue.Writer.TryWrite(e))
        {
            Interlocked.Increment(ref _dropped);
            _log.LogWarning("Event queue full; dropped {Type} {Reason} for {Kind} {Namespace}/{Name}", type, reason, regarding.Kind, regarding.Namespace, regarding.Name);
        }
    }

    /// <summary>Stops accepting events, writes what is queued, and waits for the writer.</summary>
    public async Task StopAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        var dirty = new List<Series>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var e))
            {
                var now = e.EventTime ?? _time.GetUtcNow();
                var key = SeriesKey.Of(e);
                if (_series.TryGetValue(key, out var s) && now - s.LastObserved < _options.SeriesWindow && s.Created is not null)
                {
                    s.Count++;
                    s.LastObserved = now;
                    if (!s.Dirty) { s.Dirty = true; dirty.Add(s); }
                    continue;
                }
                var series = new Series(e, now);
                _series[key] = series;
                series.Created = await CreateAsync(e).ConfigureAwait(false);
            }
            // Patch each series once per burst, with its latest count.
            foreach (var s in dirty) await PatchAsync(s).ConfigureAwait(false);
            dirty.Clear();
            Expire();
        }
    }

    private async Task<Event?> CreateAsync(Event e)
    {
        try { return await _sink.CreateAsync(e, CancellationToken.None).ConfigureAwait(false); }
        catch (Exception ex)
        {
            _log.LogWarning("Could not write event {Reason} for {Name}: {Error}", e.Reason, e.Regarding?.Name, ex.Message);
            return null;
        }
    }

    private async Task PatchAsync(Series s)
    {
        s.Dirty = false;
        var series = new EventSeries { Count = s.Count, LastObservedTime = s.LastObserved };
        var created = s.Created!;
        try
        {
            await _sink.PatchSeriesAsync(created.Metadata!.Namespace!, created.Metadata.Name!, series, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.IsNotFound)
        {
            // The Event expired (events have a TTL) while the series went on: start it again, count kept.
            created.Metadata!.ResourceVersion = null;
            created.Metadata.Uid = null;
            created.Metadata.Name = $"{created.Regarding?.Name}.{_time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000:x}";
            created.Series = series;
            s.Created = await CreateAsync(created).ConfigureAwait(false) ?? s.Created;
        }
        catch (Exception e)
        {
            _log.LogWarning("Could not update event series {Name}: {Error}", created.Metadata?.Name, e.Message);
        }
    }

    private void Expire()
    {
        var now = _time.GetUtcNow();
        if (_series.Count < 256 && now - _lastExpire < TimeSpan.FromMinutes(1)) return;
        _lastExpire = now;
        foreach (var (key, s) in _series.Where(kv => now - kv.Value.LastObserved >= _options.SeriesWindow).ToList())
            _series.Remove(key);
    }

    private DateTimeOffset _lastExpire;

    /// <summary>What makes two events "the same" for a series (upstream's key; the note is not part of it).</summary>
    private readonly record struct SeriesKey(string Regarding, string? Related, string? Action, string? Reason, string? Controller)
    {
        public static SeriesKey Of(Event e) => new(Ref(e.Regarding)!, Ref(e.Related), e.Action, e.Reason, e.ReportingController);

        private static string? Ref(ObjectReference? r) => r is null ? null
            : string.Join('\u0001', r.ApiVersion, r.Kind, r.Namespace, r.Name, r.Uid, r.FieldPath, r.ResourceVersion);
    }

    private sealed class Series(Event first, DateTimeOffset at)
    {
        public Event First { get; } = first;
        public Event? Created { get; set; }
        public int Count { get; set; } = 1;
        public DateTimeOffset LastObserved { get; set; } = at;
        public bool Dirty { get; set; }
    }
}
