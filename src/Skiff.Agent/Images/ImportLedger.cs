namespace Skiff.Agent.Images;

/// <summary>An archive as seen on disk; a new size or modification time means new content.</summary>
public readonly record struct ArchiveState(long Size, DateTime ModifiedUtc)
{
    public static ArchiveState Of(FileInfo file) => new(file.Length, file.LastWriteTimeUtc);
}

/// <summary>
/// Which archives have been tried, in which state, and how it went: an archive is imported again
/// only when its size or mtime changes, whether the last try succeeded or failed (a broken
/// archive is not retried in a loop). In memory on purpose: every agent start imports all
/// archives again, as k3s does, so a wiped containerd root never misses its images.
/// Not thread-safe; the importer uses it from one loop.
/// </summary>
public sealed class ImportLedger
{
    private readonly Dictionary<string, (ArchiveState State, bool Succeeded)> _entries = new(StringComparer.Ordinal);

    public bool NeedsImport(string path, ArchiveState state) =>
        !_entries.TryGetValue(path, out var entry) || entry.State != state;

    public void Record(string path, ArchiveState state, bool succeeded) => _entries[path] = (state, succeeded);

    /// <summary>Forgets archives that are no longer present (their images stay in the runtime).</summary>
    public void Retain(IReadOnlySet<string> present)
    {
        foreach (var path in _entries.Keys.Where(p => !present.Contains(p)).ToList()) _entries.Remove(path);
    }

    public bool? Outcome(string path) => _entries.TryGetValue(path, out var entry) ? entry.Succeeded : null;

    public int Count => _entries.Count;
}
