using System.Collections.Immutable;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skiff.Client.Typed;
using Skiff.Client.Watch;

namespace Skiff.Client.Informers;

/// <summary>
/// A cache of one resource kept current by a <see cref="Reflector{T}"/> (list, then watch, relist on 410),
/// with indexes and event handlers. Handlers run one at a time on the informer's dispatcher, after the
/// change is in <see cref="Store"/>; they never block the watch (notifications queue in between).
/// Reads from <see cref="Store"/> may lag the API server by the watch delay, but are at least as fresh as
/// the last event handed to a handler. Safe from any thread; get shared instances from
/// <see cref="SharedInformerFactory"/>.
/// </summary>
public sealed class SharedInformer<T> : IReflectorSink<T>, IAsyncDisposable where T : class
{
    private readonly Lock _sinkLock = new();
    private readonly Channel<Notification> _notifications = Channel.CreateUnbounded<Notification>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SharedInformerOptions _options;
    private readonly ILogger _log;
    private readonly Reflector<T> _reflector;
    private ImmutableArray<Registration> _handlers = [];
    private bool _listedOnce;
    private CancellationTokenSource? _stop;
    private Task _running = Task.CompletedTask;

    public SharedInformer(ResourceClient<T> client, string? ns = null, SharedInformerOptions? options = null, ILogger? logger = null)
    {
        Client = client;
        Namespace = ns;
        _options = options ?? SharedInformerOptions.Default;
        _log = logger ?? NullLogger.Instance;
        Store = new Indexer<T>();
        Store.AddIndex(Indexers.Namespace, Indexers.ByNamespace(client.Codec));
        _reflector = new Reflector<T>(client, ns, _options.Selectors, this, _log) { PageSize = _options.PageSize };
    }

    public ResourceClient<T> Client { get; }
    public IObjectCodec<T> Codec => Client.Codec;
    /// <summary>The namespace watched, or null for all.</summary>
    public string? Namespace { get; }

    /// <summary>The cache (see the type's freshness promise). Do not mutate the objects it returns.</summary>
    public Indexer<T> Store { get; }

    /// <summary>True once the first list is in the cache and its OnAdd calls reached every handler registered by then.</summary>
    public bool HasSynced => _synced.Task.IsCompleted;

    /// <summary>The newest resourceVersion in the cache.</summary>
    public string LastSyncResourceVersion => _reflector.LastSyncResourceVersion;

    /// <summary>How many times the informer listed (1 + relists after 410 or failures).</summary>
    public int ListCount => _reflector.ListCount;

    public bool IsStarted => _stop is not null;

    /// <summary>Completes when <see cref="HasSynced"/>.</summary>
    public Task WaitForCacheSyncAsync(CancellationToken ct) => _synced.Task.WaitAsync(ct);

    /// <summary>Adds an index (built over the current contents at once); safe before or after start.</summary>
    public void AddIndex(string name, IndexFunc<T> func) => Store.AddIndex(name, func);

    /// <summary>
    /// Registers a handler. If the cache already has objects, the handler first gets OnAdd for each of them
    /// (isInInitialList true), then every later change. Dispose the result to unregister.
    /// </summary>
    public IDisposable AddEventHandler(IResourceEventHandler<T> handler)
    {
        var registration = new Registration(this, handler);
        lock (_sinkLock)
        {
            _handlers = _handlers.Add(registration);
            if (_listedOnce)
                foreach (var obj in Store.List()) Enqueue(new(NotificationKind.Add, null, obj, true, registration));
        }
        return registration;
    }

    /// <summary>Starts listing and watching (once; later calls do nothing). Stops when <paramref name="ct"/> fires or on dispose.</summary>
    public void Start(CancellationToken ct)
    {
        lock (_sinkLock)
        {
            if (_stop is not null) return;
            _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        }
        var token = _stop.Token;
        var dispatch = Task.Run(() => DispatchAsync(token), CancellationToken.None);
        var reflect = Task.Run(() => _reflector.RunAsync(token), CancellationToken.None);
        var resync = _options.ResyncPeriod is { } period ? Task.Run(() => ResyncAsync(period, token), CancellationToken.None) : Task.CompletedTask;
        _running = Task.WhenAll(dispatch, reflect, resync);
    }

    /// <summary>Stops the reflector and the dispatcher and waits for them.</summary>
    public async Task StopAsync()
    {
        _stop?.Cancel();
        try { await _running.ConfigureAwait(false); }
        catch (OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop?.Dispose();
    }

    void IReflectorSink<T>.Replace(IReadOnlyList<T> items, string resourceVersion)
    {
        lock (_sinkLock)
        {
            var initial = !_listedOnce;
            Store.WithLock(store =>
            {
                var seen = new HashSet<string>(items.Count, StringComparer.Ordinal);
                foreach (var item in items)
                {
                    Transform(item);
                    var key = Key(item);
                    seen.Add(key);
                    var old = store.UpsertLocked(key, item);
                    if (old is null) Enqueue(new(NotificationKind.Add, null, item, initial, null));
                    else if (Codec.ResourceVersion(old) != Codec.ResourceVersion(item)) Enqueue(new(NotificationKind.Update, old, item, false, null));
                }
                // What the relist no longer has was deleted while the watch was down: a tombstone.
                var gone = store.ItemsLocked.Keys.Where(k => !seen.Contains(k)).ToList();
                foreach (var key in gone)
                    Enqueue(new(NotificationKind.Delete, null, store.RemoveLocked(key)!, true, null));
                return 0;
            });
            if (initial)
            {
                _listedOnce = true;
                Enqueue(new(NotificationKind.Synced, null, null, false, null));
            }
        }
    }

    void IReflectorSink<T>.Apply(WatchEventType type, T obj)
    {
        lock (_sinkLock)
        {
            Transform(obj);
            var key = Key(obj);
            if (type == WatchEventType.Deleted)
            {
                if (Store.Remove(key) is not null) Enqueue(new(NotificationKind.Delete, null, obj, false, null));
                return;
            }
            var old = Store.Upsert(key, obj);
            Enqueue(old is null
                ? new(NotificationKind.Add, null, obj, false, null)
                : new(NotificationKind.Update, old, obj, false, null));
        }
    }

    private string Key(T obj) => ObjectKey.For(Codec.Namespace(obj), Codec.Name(obj) ?? "");

    private void Transform(T obj)
    {
        if (_options.DropManagedFields) Codec.DropManagedFields(obj);
    }

    private void Enqueue(in Notification n) => _notifications.Writer.TryWrite(n);

    private async Task DispatchAsync(CancellationToken ct)
    {
        var reader = _notifications.Reader;
        try
        {
            while (await reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                while (reader.TryRead(out var n))
                {
                    if (n.Kind == NotificationKind.Synced) { _synced.TrySetResult(); continue; }
                    if (n.Target is { } target)
                    {
                        if (!target.Removed) Deliver(target, n);
                        continue;
                    }
                    foreach (var h in _handlers) Deliver(h, n);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    private void Deliver(Registration r, in Notification n)
    {
        try
        {
            switch (n.Kind)
            {
                case NotificationKind.Add: r.Handler.OnAdd(n.New!, n.Flag); break;
                case NotificationKind.Update: r.Handler.OnUpdate(n.Old!, n.New!); break;
                case NotificationKind.Delete: r.Handler.OnDelete(n.New!, n.Flag); break;
            }
        }
        catch (Exception e)
        {
            // A handler's bug must not stop the others or the informer.
            _log.LogError(e, "Event handler for {Resource} failed on {Kind}", Client.Resource.Plural, n.Kind);
        }
    }

    private async Task ResyncAsync(TimeSpan period, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                lock (_sinkLock)
                    foreach (var obj in Store.List()) Enqueue(new(NotificationKind.Update, obj, obj, false, null));
            }
        }
        catch (OperationCanceledException) { }
    }

    private void Unregister(Registration r)
    {
        lock (_sinkLock) _handlers = _handlers.Remove(r);
    }

    private enum NotificationKind : byte { Add, Update, Delete, Synced }

    private readonly record struct Notification(NotificationKind Kind, T? Old, T? New, bool Flag, Registration? Target);

    private sealed class Registration(SharedInformer<T> owner, IResourceEventHandler<T> handler) : IDisposable
    {
        public IResourceEventHandler<T> Handler => handler;
        public volatile bool Removed;

        public void Dispose()
        {
            Removed = true;
            owner.Unregister(this);
        }
    }
}
