using Skiff.Api.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skiff.Api.Models.Core.V1;
using Skiff.Client.Rest;
using Skiff.Client.Typed;

namespace Skiff.Client.Events;

/// <summary>Who reports core/v1 Events and how much may wait to be written. Immutable record.</summary>
public sealed record CoreEventRecorderOptions
{
    /// <summary>source.component and reportingComponent, e.g. "kubelet" or "default-scheduler".</summary>
    public required string Component { get; init; }
    /// <summary>source.host: the node the reporter runs on (the kubelet's node); null for control-plane components.</summary>
    public string? Host { get; init; }
    /// <summary>reportingInstance, e.g. the node name.</summary>
    public required string ReportingInstance { get; init; }
    /// <summary>Events waiting to be written; past it new ones are dropped (upstream's broadcaster keeps 1000).</summary>
    public int QueueCapacity { get; init; } = 1000;
    /// <summary>Distinct events remembered for aggregation, least recently seen forgotten first (upstream: 4096).</summary>
    public int CacheSize { get; init; } = 4096;
    /// <summary>One create or patch may take this long; a slower API server loses that event, not the queue.</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>Where a <see cref="CoreEventRecorder"/> writes: create an Event, or bump the count of one.</summary>
public interface ICoreEventSink
{
    Task CreateAsync(Event e, CancellationToken ct);
    /// <summary>Sets count and lastTimestamp on an existing Event; a missing Event is an <see cref="ApiException"/> 404.</summary>
    Task PatchCountAsync(string ns, string name, int count, DateTimeOffset lastTimestamp, CancellationToken ct);
}

/// <summary>Writes core/v1 Events to the API server (repeats by merge patch). Stateless; safe from any thread.</summary>
public sealed class ApiCoreEventSink(ResourceClient<Event> events) : ICoreEventSink
{
    public ApiCoreEventSink(KubeClient client) : this(client.Resource<Event, EventList>()) { }

    public Task CreateAsync(Event e, CancellationToken ct) => events.CreateAsync(e, e.Metadata?.Namespace, ct: ct);

    public Task PatchCountAsync(string ns, string name, int count, DateTimeOffset lastTimestamp, CancellationToken ct)
    {
        var patch = ModelJson.SerializeToUtf8Bytes(new Event { Count = count, LastTimestamp = lastTimestamp });
        return events.PatchAsync(ns, name, PatchType.Merge, patch, ct: ct);
    }
}

/// <summary>
/// Records core/v1 Events (what <c>kubectl describe</c> and <c>kubectl get events</c> read) as client-go's
/// legacy recorder does, for components that report the old way (kubelet, scheduler). <see cref="Record"/>
/// never blocks and never throws: the event goes into a bounded queue, and is dropped (counted in
/// <see cref="Dropped"/>) when the queue is full. <see cref="RunAsync"/> writes the queue one event at a
/// time, each write bounded by <see cref="CoreEventRecorderOptions.WriteTimeout"/>; a failed write is logged
/// at debug and forgotten. As upstream's correlator, a repeat of an event (same involved object with its
/// fieldPath, type, reason and message) does not create a new Event: the first one's count and
/// lastTimestamp are PATCHed; if it expired meanwhile it is created again with the count so far.
/// Events are named <c>&lt;object&gt;.&lt;unix nanoseconds in hex&gt;</c>, as upstream. <see cref="Record"/>
/// is safe from any thread; <see cref="RunAsync"/> runs once.
/// </summary>
public sealed class CoreEventRecorder
{
    private const int MaxMessageLength = 4096;
    private readonly ICoreEventSink _sink;
    private readonly CoreEventRecorderOptions _options;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly Channel<Pending> _queue;
    private readonly Dictionary<Key, LinkedListNode<Seen>> _seen = [];
    private readonly LinkedList<Seen> _recency = new();
    private long _dropped;
    private long _lastNanos;

    public CoreEventRecorder(ICoreEventSink sink, CoreEventRecorderOptions options, ILogger? logger = null, TimeProvider? time = null)
    {
        _sink = sink;
        _options = options;
        _log = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // with TryWrite: refuse instead of waiting
            SingleReader = true,
        });
    }

    /// <summary>Events dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <param name="involved">The object the event is about (with fieldPath for a part of it, e.g. a container).</param>
    /// <param name="type">"Normal" or "Warning".</param>
    /// <param name="reason">Why, in UpperCamelCase (e.g. "BackOff").</param>
    /// <param name="message">For humans; at most 4 KiB is kept.</param>
    /// <param name="action">What was done or failed (optional on core/v1 Events).</param>
    public void Record(ObjectReference involved, string type, string reason, string message, string? action = null)
    {
        if (message.Length > MaxMessageLength) message = message[..MaxMessageLength];
        if (_queue.Writer.TryWrite(new Pending(involved, type, reason, message, action, _time.GetUtcNow()))) return;
        Interlocked.Increment(ref _dropped);
        _log.LogDebug("Event queue full; dropped {Type} {Reason} for {Kind} {Namespace}/{Name}", type, reason, involved.Kind, involved.Namespace, involved.Name);
    }

    /// <summary>Writes queued events until <paramref name="ct"/> is cancelled; what is still queued then is dropped.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var e in _queue.Reader.ReadAllAsync(ct).ConfigureAwait(false))
                await WriteAsync(e, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    private async Task WriteAsync(Pending e, CancellationToken ct)
    {
        var key = new Key(e.Involved.Kind, e.Involved.Namespace, e.Involved.Name, e.Involved.Uid, e.Involved.ApiVersion,
            e.Involved.FieldPath, e.Type, e.Reason, e.Message);
        if (_seen.TryGetValue(key, out var node))
        {
            _recency.Remove(node);
            _recency.AddFirst(node);
        }
        else
        {
            node = _recency.AddFirst(new Seen(key, New(e)));
            _seen[key] = node;
            if (_seen.Count > _options.CacheSize)
            {
                _seen.Remove(_recency.Last!.Value.Key);
                _recency.RemoveLast();
            }
        }
        var seen = node.Value;
        var ev = seen.Event;
        if (seen.Observed > 0)
        {
            ev.Count = seen.Observed + 1;
            ev.LastTimestamp = e.At;
        }
        seen.Observed++;

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.WriteTimeout);
        try
        {
            if (seen.Created)
            {
                try
                {
                    await _sink.PatchCountAsync(ev.Metadata!.Namespace!, ev.Metadata.Name!, ev.Count ?? 1, ev.LastTimestamp ?? e.At, timeout.Token).ConfigureAwait(false);
                    return;
                }
                catch (ApiException x) when (x.IsNotFound)
                {
                    seen.Created = false; // expired (events have a TTL): create it again below, count kept
                }
            }
            await _sink.CreateAsync(ev, timeout.Token).ConfigureAwait(false);
            seen.Created = true;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
        catch (Exception x)
        {
            _log.LogDebug("Could not write event {Reason} for {Kind} {Namespace}/{Name}: {Error}",
                e.Reason, e.Involved.Kind, e.Involved.Namespace, e.Involved.Name, x is OperationCanceledException ? "timed out" : x.Message);
        }
    }

    private Event New(Pending e)
    {
        // Unix nanoseconds, kept increasing so two events in one tick never share a name.
        var nanos = Math.Max((e.At.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100, _lastNanos + 1);
        _lastNanos = nanos;
        var suffix = $".{nanos:x}";
        var name = e.Involved.Name ?? "";
        if (name.Length + suffix.Length > 253) name = name[..(253 - suffix.Length)];
        return new Event
        {
            Metadata = new() { Name = name + suffix, Namespace = string.IsNullOrEmpty(e.Involved.Namespace) ? "default" : e.Involved.Namespace },
            InvolvedObject = e.Involved,
            Reason = e.Reason,
            Message = e.Message,
            Type = e.Type,
            Source = new EventSource { Component = _options.Component, Host = _options.Host },
            ReportingComponent = _options.Component,
            ReportingInstance = _options.ReportingInstance,
            Action = e.Action,
            FirstTimestamp = e.At,
            LastTimestamp = e.At,
            Count = 1,
        };
    }

    private readonly record struct Pending(ObjectReference Involved, string Type, string Reason, string Message, string? Action, DateTimeOffset At);

    /// <summary>What makes two events "the same" (upstream's event key; the source is the recorder's own).</summary>
    private readonly record struct Key(string? Kind, string? Namespace, string? Name, string? Uid, string? ApiVersion,
        string? FieldPath, string Type, string Reason, string Message);

    private sealed class Seen(Key key, Event e)
    {
        public Key Key { get; } = key;
        public Event Event { get; } = e;
        /// <summary>How many times this event was recorded.</summary>
        public int Observed { get; set; }
        public bool Created { get; set; }
    }
}
