namespace Skiff.Client.LeaderElection;

/// <summary>Who holds a lock and until when, as stored in a Lease's spec. Immutable value; thread-safe.</summary>
public sealed record LeaderElectionRecord(
    string? HolderIdentity,
    int LeaseDurationSeconds,
    DateTimeOffset? AcquireTime,
    DateTimeOffset? RenewTime,
    int LeaseTransitions);

/// <summary>
/// The storage of a leader lock with optimistic concurrency: an update succeeds only if nobody wrote the
/// lock since this instance last read or wrote it (a conflict throws). One instance per elector; not thread-safe.
/// </summary>
public interface ILeaseLock
{
    /// <summary>The current record, or null when the lock object does not exist.</summary>
    Task<LeaderElectionRecord?> GetAsync(CancellationToken ct);
    /// <summary>Creates the lock object; throws when it already exists.</summary>
    Task CreateAsync(LeaderElectionRecord record, CancellationToken ct);
    /// <summary>Writes the record if the lock is unchanged since this instance's last read or write; throws otherwise.</summary>
    Task UpdateAsync(LeaderElectionRecord record, CancellationToken ct);
    /// <summary>"namespace/name", for logs.</summary>
    string Describe { get; }
}
