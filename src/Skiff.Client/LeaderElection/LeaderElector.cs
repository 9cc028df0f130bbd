using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Skiff.Client.LeaderElection;

/// <summary>Settings of a <see cref="LeaderElector"/>, with upstream's defaults. Immutable record.</summary>
public sealed record LeaderElectionConfig
{
    /// <summary>This candidate's unique identity (e.g. hostname + a random suffix).</summary>
    public required string Identity { get; init; }
    /// <summary>How long a non-leader waits after the last observed change before taking the lock.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>How long the leader keeps retrying to renew before it gives up leadership.</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>How often candidates try to acquire and the leader renews.</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>On cancellation, give the lock up at once so another candidate need not wait out the lease.</summary>
    public bool ReleaseOnCancel { get; init; } = true;
    /// <summary>Called once this candidate leads; its token is cancelled when leadership ends.</summary>
    public required Func<CancellationToken, Task> OnStartedLeading { get; init; }
    /// <summary>Called once leadership ended (lost or released), after OnStartedLeading's token was cancelled.</summary>
    public Action? OnStoppedLeading { get; init; }
    /// <summary>Called when a different holder is observed (including this candidate).</summary>
    public Action<string>? OnNewLeader { get; init; }
}

/// <summary>
/// Upstream's leader election on a lock (a Lease): candidates poll every RetryPeriod; the holder renews,
/// and a candidate takes over only after the record stayed unchanged for the record's lease duration (as
/// observed on this candidate's own clock, so clock skew between machines does not matter). The leader
/// that cannot renew within RenewDeadline stops leading. <see cref="RunAsync"/> once per instance;
/// <see cref="IsLeader"/> and <see cref="ObservedLeader"/> are safe to read from any thread.
/// </summary>
public sealed class LeaderElector(LeaderElectionConfig config, ILeaseLock lockObject, ILogger? logger = null, TimeProvider? time = null)
{
    private readonly ILogger _log = logger ?? NullLogger.Instance;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private LeaderElectionRecord? _observed;
    private DateTimeOffset _observedAt;
    private volatile bool _leading;
    private volatile string? _observedLeader;

    public bool IsLeader => _leading;
    public string? ObservedLeader => _observedLeader;

    /// <summary>
    /// Campaigns until leading, leads until leadership is lost or <paramref name="ct"/> fires, then returns
    /// (after releasing the lock when <see cref="LeaderElectionConfig.ReleaseOnCancel"/>). Run it again to campaign again.
    /// </summary>
    public async Task RunAsync(CancellationToken ct)
    {
        if (!await AcquireAsync(ct).ConfigureAwait(false)) return;
        _leading = true;
        _log.LogInformation("{Identity} became leader of {Lock}", config.Identity, lockObject.Describe);
        using var leadership = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var work = Task.Run(() => config.OnStartedLeading(leadership.Token), CancellationToken.None);
        try
        {
            await RenewUntilLostAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _leading = false;
            leadership.Cancel();
            try { await work.ConfigureAwait(false); }
            catch (OperationCanceledException) { }
            catch (Exception e) { _log.LogError(e, "OnStartedLeading of {Identity} failed", config.Identity); }
            if (ct.IsCancellationRequested && config.ReleaseOnCancel) await ReleaseAsync().ConfigureAwait(false);
            _log.LogInformation("{Identity} stopped leading {Lock}", config.Identity, lockObject.Describe);
            config.OnStoppedLeading?.Invoke();
        }
    }

    private async Task<bool> AcquireAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            if (await TryAcquireOrRenewAsync(ct).ConfigureAwait(false)) return true;
            if (!await DelayAsync(Jitter(config.RetryPeriod), ct).ConfigureAwait(false)) return false;
        }
        return false;
    }

    private async Task RenewUntilLostAsync(CancellationToken ct)
    {
        var lastRenew = _time.GetUtcNow();
        while (await DelayAsync(config.RetryPeriod, ct).ConfigureAwait(false))
        {
            if (await TryAcquireOrRenewAsync(ct).ConfigureAwait(false)) { lastRenew = _time.GetUtcNow(); continue; }
            if (ct.IsCancellationRequested) return;
            if (_time.GetUtcNow() - lastRenew >= config.RenewDeadline || (_observed?.HolderIdentity is { Length: > 0 } h && h != config.Identity))
            {
                _log.LogWarning("{Identity} lost leadership of {Lock}: could not renew within {Deadline}", config.Identity, lockObject.Describe, config.RenewDeadline);
                return;
            }
        }
    }

    /// <summary>One attempt: create the lock, renew it, or take it over once expired. Never throws for API failures.</summary>
    internal async Task<bool> TryAcquireOrRenewAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var desired = new LeaderElectionRecord(config.Identity, (int)Math.Ceiling(config.LeaseDuration.TotalSeconds), now, now, 0);
        try
        {
            var current = await lockObject.GetAsync(ct).ConfigureAwait(false);
            if (current is null)
            {
                await lockObject.CreateAsync(desired, ct).ConfigureAwait(false);
                Observe(desired, now);
                return true;
            }
            if (current != _observed) Observe(current, now);
            var heldByOther = !string.IsNullOrEmpty(current.HolderIdentity) && current.HolderIdentity != config.Identity;
            if (heldByOther && _observedAt + TimeSpan.FromSeconds(current.LeaseDurationSeconds) > now) return false;
            desired = current.HolderIdentity == config.Identity
                ? desired with { AcquireTime = current.AcquireTime, LeaseTransitions = current.LeaseTransitions }
                : desired with { LeaseTransitions = current.LeaseTransitions + 1 };
            await lockObject.UpdateAsync(desired, ct).ConfigureAwait(false);
            Observe(desired, now);
            return true;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { return false; }
        catch (Exception e)
        {
            // A conflict (someone else wrote first) or an unreachable server: try again next period.
            _log.LogDebug("{Identity} could not acquire or renew {Lock}: {Error}", config.Identity, lockObject.Describe, e.Message);
            return false;
        }
    }

    private async Task ReleaseAsync()
    {
        if (_observed?.HolderIdentity != config.Identity) return;
        var now = _time.GetUtcNow();
        var released = new LeaderElectionRecord(null, 1, now, now, _observed.LeaseTransitions);
        using var deadline = new CancellationTokenSource(config.RenewDeadline);
        try
        {
            await lockObject.UpdateAsync(released, deadline.Token).ConfigureAwait(false);
            Observe(released, now);
        }
        catch (Exception e)
        {
            _log.LogWarning("{Identity} could not release {Lock}: {Error}", config.Identity, lockObject.Describe, e.Message);
        }
    }

    private void Observe(LeaderElectionRecord record, DateTimeOffset at)
    {
        _observed = record;
        _observedAt = at;
        if (record.HolderIdentity is { Length: > 0 } holder && holder != _observedLeader)
        {
            _observedLeader = holder;
            config.OnNewLeader?.Invoke(holder);
        }
    }

    private async Task<bool> DelayAsync(TimeSpan d, CancellationToken ct)
    {
        try { await Task.Delay(d, _time, ct).ConfigureAwait(false); return true; }
        catch (OperationCanceledException) { return false; }
    }

    private static TimeSpan Jitter(TimeSpan d) => d * (1 + Random.Shared.NextDouble() * 1.2);
}
