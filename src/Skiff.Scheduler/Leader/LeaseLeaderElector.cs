using Microsoft.Extensions.Logging;
using Skiff.Api.Models.Coordination.V1;
using Skiff.Client;
using Skiff.Client.Rest;

namespace Skiff.Scheduler.Leader;

/// <summary>
/// Runs work only while holding a coordination.k8s.io Lease (as upstream's leaderelection with a
/// LeaseLock): acquire when free or expired, renew every <see cref="RetryPeriod"/>, and stop the work
/// when a renewal has not succeeded within <see cref="RenewDeadline"/>. Writes are conditional on the
/// lease's resourceVersion, so two candidates never both win. A small stand-in until Skiff.Client's
/// LeaderElection is merged. One <see cref="RunAsync"/> per instance.
/// </summary>
public sealed class LeaseLeaderElector(KubeClient client, string ns, string name, string identity, ILogger logger)
{
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Campaigns until cancelled; runs <paramref name="lead"/> each time leadership is won, cancelling it when lost.</summary>
    public async Task RunAsync(Func<CancellationToken, Task> lead, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            if (!await TryAcquireOrRenewAsync(ct).ConfigureAwait(false))
            {
                await Task.Delay(RetryPeriod, ct).ConfigureAwait(false);
                continue;
            }
            logger.LogInformation("{Identity} became leader ({Namespace}/{Lease})", identity, ns, name);
            using var leading = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var work = lead(leading.Token);
            var lastRenew = DateTimeOffset.UtcNow;
            while (!ct.IsCancellationRequested && !work.IsCompleted)
            {
                await Task.WhenAny(work, Task.Delay(RetryPeriod, ct)).ConfigureAwait(false);
                if (work.IsCompleted || ct.IsCancellationRequested) break;
                if (await TryAcquireOrRenewAsync(ct).ConfigureAwait(false)) lastRenew = DateTimeOffset.UtcNow;
                else if (DateTimeOffset.UtcNow - lastRenew > RenewDeadline) break;
            }
            leading.Cancel();
            try { await work.ConfigureAwait(false); } catch (OperationCanceledException) { }
            if (ct.IsCancellationRequested) return;
            logger.LogWarning("{Identity} lost leadership of {Namespace}/{Lease}", identity, ns, name);
        }
    }

    private async Task<bool> TryAcquireOrRenewAsync(CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        try
        {
            var lease = await client.Leases.TryGetAsync(ns, name, ct).ConfigureAwait(false);
            if (lease is null)
            {
                await client.Leases.CreateAsync(new Lease
                {
                    Metadata = new() { Name = name, Namespace = ns },
                    Spec = new LeaseSpec { HolderIdentity = identity, LeaseDurationSeconds = (int)LeaseDuration.TotalSeconds, AcquireTime = now, RenewTime = now, LeaseTransitions = 0 },
                }, ns, ct: ct).ConfigureAwait(false);
                return true;
            }
            var spec = lease.Spec ??= new LeaseSpec();
            var held = spec.HolderIdentity is { Length: > 0 } holder && holder != identity;
            var expired = spec.RenewTime is not { } renewed || renewed + TimeSpan.FromSeconds(spec.LeaseDurationSeconds ?? 15) < now;
            if (held && !expired) return false;
            if (spec.HolderIdentity != identity)
            {
                spec.LeaseTransitions = (spec.LeaseTransitions ?? 0) + 1;
                spec.AcquireTime = now;
            }
            spec.HolderIdentity = identity;
            spec.LeaseDurationSeconds = (int)LeaseDuration.TotalSeconds;
            spec.RenewTime = now;
            await client.Leases.UpdateAsync(lease, ct: ct).ConfigureAwait(false);
            return true;
        }
        catch (ApiException e) when (e.IsConflict || e.IsAlreadyExists) { return false; }
        catch (Exception e) when (e is ApiException or HttpRequestException or IOException)
        {
            logger.LogInformation("Leader election for {Lease}: {Error}", name, e.Message);
            return false;
        }
    }
}
