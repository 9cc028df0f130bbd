using Skiff.Agent.Cri.V1;

namespace Skiff.Agent.Kubelet.ImageGc;

/// <summary>An image the collector may remove, with what it knows of it.</summary>
public sealed record ImageGcCandidate(string Id, string Name, long Size, DateTimeOffset FirstDetected, DateTimeOffset LastUsed);

/// <summary>
/// What the image collector remembers of each image (upstream's imageRecords): when it was first seen, when a
/// container last used it, its size and whether it is pinned. <see cref="Observe"/> folds in a listing of the
/// runtime's images and containers; <see cref="EvictionOrder"/> gives the images that may go, least recently used
/// first. An image is in use while any container (running or exited) refers to it by ID, name or digest. Not
/// thread-safe: <see cref="ImageGarbageCollector"/> serialises its calls.
/// </summary>
public sealed class ImageRecords
{
    private sealed class Record
    {
        public DateTimeOffset FirstDetected;
        public DateTimeOffset LastUsed = DateTimeOffset.MinValue;
        public long Size;
        public bool Pinned;
        public string Name = "";
    }

    private readonly Dictionary<string, Record> _records = new(StringComparer.Ordinal);

    public int Count => _records.Count;

    /// <summary>
    /// Records a listing taken at <paramref name="now"/>: new images are first detected then, images in use were last
    /// used then, images no longer listed are forgotten. An image is pinned when the runtime says so or when one of its
    /// names is in <paramref name="pinnedNames"/>. Returns the IDs of the images in use.
    /// </summary>
    public HashSet<string> Observe(IEnumerable<Image> images, IEnumerable<Container> containers, IReadOnlySet<string> pinnedNames, DateTimeOffset now)
    {
        var references = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in containers)
        {
            if (c.ImageRef is { Length: > 0 } r) references.Add(r);
            if (c.ImageId is { Length: > 0 } id) references.Add(id);
            if (c.Image?.Image is { Length: > 0 } i) references.Add(i);
        }

        var inUse = new HashSet<string>(StringComparer.Ordinal);
        var current = new HashSet<string>(StringComparer.Ordinal);
        foreach (var image in images)
        {
            if (image.Id is not { Length: > 0 } id) continue;
            current.Add(id);
            if (!_records.TryGetValue(id, out var record)) _records[id] = record = new Record { FirstDetected = now };
            var names = image.RepoTags.Concat(image.RepoDigests).ToList();
            if (references.Contains(id) || names.Any(references.Contains))
            {
                inUse.Add(id);
                record.LastUsed = now;
            }
            record.Size = (long)Math.Min(image.Size, long.MaxValue);
            record.Pinned = image.Pinned || names.Any(pinnedNames.Contains);
            record.Name = image.RepoTags.FirstOrDefault() ?? image.RepoDigests.FirstOrDefault() ?? id;
        }
        foreach (var gone in _records.Keys.Where(k => !current.Contains(k)).ToList()) _records.Remove(gone);
        return inUse;
    }

    /// <summary>The images neither in use nor pinned, least recently used first and, among equals, first detected first.</summary>
    public List<ImageGcCandidate> EvictionOrder(IReadOnlySet<string> inUse) =>
        [.. _records.Where(kv => !inUse.Contains(kv.Key) && !kv.Value.Pinned)
            .Select(kv => new ImageGcCandidate(kv.Key, kv.Value.Name, kv.Value.Size, kv.Value.FirstDetected, kv.Value.LastUsed))
            .OrderBy(c => c.LastUsed).ThenBy(c => c.FirstDetected).ThenBy(c => c.Id, StringComparer.Ordinal)];

    public void Forget(string id) => _records.Remove(id);
}
