using System.Collections.Concurrent;
using Skiff.Client.Informers;

namespace Skiff.Client.Tests.Integration;

/// <summary>Records informer callbacks as "add:key", "update:key", "delete:key", "tombstone:key".</summary>
internal sealed class RecordingHandler<T>(Func<T, string> key) : IResourceEventHandler<T> where T : class
{
    public ConcurrentQueue<string> Events { get; } = new();

    public void OnAdd(T obj, bool isInInitialList) => Events.Enqueue("add:" + key(obj));
    public void OnUpdate(T oldObj, T newObj) => Events.Enqueue("update:" + key(newObj));
    public void OnDelete(T obj, bool finalStateUnknown) => Events.Enqueue((finalStateUnknown ? "tombstone:" : "delete:") + key(obj));

    public bool Saw(string e) => Events.Contains(e);
}
