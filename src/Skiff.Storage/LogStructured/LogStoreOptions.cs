namespace Skiff.Storage.LogStructured;

/// <summary>Tuning shared by every log-structured driver.</summary>
public record LogStoreOptions
{
    /// <summary>How often the background compactor runs; <see cref="TimeSpan.Zero"/> disables it.</summary>
    public TimeSpan CompactInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Compaction always keeps at least this many recent revisions of history.</summary>
    public long CompactKeep { get; init; } = 1000;

    /// <summary>Compaction always keeps at least this much recent history, by time.</summary>
    public TimeSpan CompactMinAge { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Revisions removed per compaction transaction, so writes are never stalled for long.</summary>
    public long CompactBatch { get; init; } = 1000;

    /// <summary>Recent events kept in memory so most watches start without reading the log.</summary>
    public int WatchRingCapacity { get; init; } = 4096;

    /// <summary>Undelivered events a watcher may hold before it is ended with <see cref="WatchOverflowException"/>.</summary>
    public int WatcherBufferLimit { get; init; } = 10_000;

    /// <summary>The most writes committed in one transaction.</summary>
    public int MaxWriteBatch { get; init; } = 1024;
}
