using Skiff.Api.Json;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skiff.Client.Rest;

namespace Skiff.Client.Informers;

/// <summary>
/// Hands out one informer per resource (and namespace), so every controller in a process shares one
/// watch and one cache per kind. Informers asked for before <see cref="Start"/> start with it; later ones
/// start on the next <see cref="Start"/>. Safe from any thread.
/// </summary>
public sealed class SharedInformerFactory(KubeClient client, SharedInformerOptions? options = null, ILoggerFactory? loggers = null) : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(Type, GroupVersionResourceKey, string?), object> _informers = [];
    private readonly List<Func<CancellationToken, Task>> _syncWaits = [];
    private readonly List<Action<CancellationToken>> _starts = [];
    private readonly List<Func<Task>> _stops = [];
    private readonly ILoggerFactory _loggers = loggers ?? NullLoggerFactory.Instance;

    public KubeClient Client => client;

    /// <summary>The shared informer of built-in model <typeparamref name="T"/>, across namespaces (<paramref name="ns"/> null) or in one.</summary>
    public SharedInformer<T> For<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TList>(string? ns = null) where T : class, IJsonModel<T> where TList : class, IJsonModel<TList> =>
        GetOrAdd(client.Resource<T, TList>(), ns);

    /// <summary>The shared informer of any resource as JSON trees (custom resources).</summary>
    public SharedInformer<JsonObject> ForResource(ResourceDescriptor resource, string? ns = null) =>
        GetOrAdd(client.Dynamic(resource), ns);

    private SharedInformer<T> GetOrAdd<T>(Typed.ResourceClient<T> resourceClient, string? ns) where T : class
    {
        var key = (typeof(T), new GroupVersionResourceKey(resourceClient.Resource.Group, resourceClient.Resource.Version, resourceClient.Resource.Plural), ns);
        lock (_lock)
        {
            if (_informers.TryGetValue(key, out var existing)) return (SharedInformer<T>)existing;
            var informer = new SharedInformer<T>(resourceClient, ns, options,
                _loggers.CreateLogger($"Skiff.Client.Informers.SharedInformer[{resourceClient.Resource.Plural}]"));
            _informers[key] = informer;
            _syncWaits.Add(informer.WaitForCacheSyncAsync);
            _starts.Add(informer.Start);
            _stops.Add(informer.StopAsync);
            return informer;
        }
    }

    /// <summary>Starts every informer made so far (already started ones are left alone).</summary>
    public void Start(CancellationToken ct)
    {
        Action<CancellationToken>[] starts;
        lock (_lock) starts = [.. _starts];
        foreach (var s in starts) s(ct);
    }

    /// <summary>Completes when every informer made so far has synced.</summary>
    public Task WaitForCacheSyncAsync(CancellationToken ct)
    {
        Func<CancellationToken, Task>[] waits;
        lock (_lock) waits = [.. _syncWaits];
        return Task.WhenAll(waits.Select(w => w(ct)));
    }

    public async ValueTask DisposeAsync()
    {
        Func<Task>[] stops;
        lock (_lock) stops = [.. _stops];
        await Task.WhenAll(stops.Select(s => s())).ConfigureAwait(false);
    }

    private readonly record struct GroupVersionResourceKey(string Group, string Version, string Resource);
}
