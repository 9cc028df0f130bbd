namespace Skiff.Storage.LogStructured;

/// <summary>
/// The two revisions every reader checks against. Written only by the writer loop, read by
/// anyone: <see cref="Current"/> is raised only after the rows up to it are committed, and
/// <see cref="Compact"/> is raised before history up to it is removed, so a reader that saw an
/// old value at worst gets a spurious 410 rather than a partial answer.
/// </summary>
internal sealed class StoreRevisions(long current, long compact)
{
    private long _current = current;
    private long _compact = compact;

    public long Current
    {
        get => Volatile.Read(ref _current);
        set => Volatile.Write(ref _current, value);
    }

    public long Compact
    {
        get => Volatile.Read(ref _compact);
        set => Volatile.Write(ref _compact, value);
    }
}
