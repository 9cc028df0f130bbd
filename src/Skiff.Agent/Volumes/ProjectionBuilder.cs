using System.Text;
using Skiff.Api.Models.Core.V1;

namespace Skiff.Agent.Volumes;

/// <summary>
/// Turns the data of a ConfigMap, Secret or the downward API into the files of a volume: all keys, or
/// only the listed items (each with its own path and mode), with upstream's defaults and errors. Stateless.
/// </summary>
public static class ProjectionBuilder
{
    /// <summary>Upstream's default mode for projected files (0644).</summary>
    public const int DefaultMode = 0x1A4;

    /// <summary>
    /// The files for <paramref name="data"/> (key → bytes). Without items every key becomes a file of its
    /// name; with items only those keys, and a missing key is an error unless <paramref name="optional"/>.
    /// </summary>
    public static IReadOnlyList<FileProjection> FromKeys(string sourceDescription, IReadOnlyDictionary<string, byte[]> data,
        IReadOnlyList<KeyToPath>? items, int? defaultMode, bool optional)
    {
        var mode = defaultMode ?? DefaultMode;
        var files = new List<FileProjection>();
        if (items is null || items.Count == 0)
        {
            foreach (var (key, value) in data.OrderBy(p => p.Key, StringComparer.Ordinal))
                files.Add(new FileProjection(key, value, mode));
            return files;
        }
        foreach (var item in items)
        {
            var key = item.Key ?? "";
            if (!data.TryGetValue(key, out var value))
            {
                if (optional) continue;
                throw new ArgumentException($"{sourceDescription} has no key {key}");
            }
            files.Add(new FileProjection(item.Path ?? key, value, item.Mode ?? mode));
        }
        return files;
    }

    public static IReadOnlyDictionary<string, byte[]> DataOf(ConfigMap map)
    {
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (k, v) in map.Data ?? []) data[k] = Encoding.UTF8.GetBytes(v);
        foreach (var (k, v) in map.BinaryData ?? []) data[k] = v;
        return data;
    }

    public static IReadOnlyDictionary<string, byte[]> DataOf(Secret secret)
    {
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (k, v) in secret.Data ?? []) data[k] = v;
        // stringData is write-only in the API, but a secret built in memory may still carry it.
        foreach (var (k, v) in secret.StringData ?? []) data[k] = Encoding.UTF8.GetBytes(v);
        return data;
    }

    /// <summary>The downward API files of a volume or a projection.</summary>
    public static IReadOnlyList<FileProjection> FromDownwardApi(Pod pod, IReadOnlyList<DownwardAPIVolumeFile>? items, int? defaultMode,
        IReadOnlyDictionary<string, decimal> nodeAllocatable)
    {
        var files = new List<FileProjection>();
        foreach (var item in items ?? [])
        {
            string text;
            if (item.FieldRef?.FieldPath is { } field) text = DownwardApi.Field(pod, field);
            else if (item.ResourceFieldRef is { } r)
                text = DownwardApi.Resource(pod, r.ContainerName, r.Resource ?? "", r.Divisor?.Value, nodeAllocatable);
            else throw new ArgumentException($"downwardAPI item {item.Path} has neither fieldRef nor resourceFieldRef");
            files.Add(new FileProjection(item.Path ?? "", Encoding.UTF8.GetBytes(text), item.Mode ?? defaultMode ?? DefaultMode));
        }
        return files;
    }
}
