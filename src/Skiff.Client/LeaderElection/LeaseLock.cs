using Skiff.Api.Models.Coordination.V1;
using Skiff.Client.Typed;

namespace Skiff.Client.LeaderElection;

/// <summary>
/// An <see cref="ILeaseLock"/> on a coordination.k8s.io/v1 Lease: updates carry the resourceVersion last
/// seen, so a concurrent writer makes them fail with 409 Conflict. Every call goes to the API server.
/// One instance per elector; not thread-safe.
/// </summary>
public sealed class LeaseLock(ResourceClient<Lease> leases, string ns, string name) : ILeaseLock
{
    private Lease? _last;

    public string Describe => $"{ns}/{name}";

    public async Task<LeaderElectionRecord?> GetAsync(CancellationToken ct)
    {
        _last = await leases.TryGetAsync(ns, name, ct).ConfigureAwait(false);
        if (_last?.Spec is not { } s) return _last is null ? null : new LeaderElectionRecord(null, 0, null, null, 0);
        return new LeaderElectionRecord(s.HolderIdentity, s.LeaseDurationSeconds ?? 0, s.AcquireTime, s.RenewTime, s.LeaseTransitions ?? 0);
    }

    public async Task CreateAsync(LeaderElectionRecord record, CancellationToken ct) =>
        _last = await leases.CreateAsync(new Lease { Metadata = new() { Name = name, Namespace = ns }, Spec = ToSpec(record) }, ct: ct).ConfigureAwait(false);

    public async Task UpdateAsync(LeaderElectionRecord record, CancellationToken ct)
    {
        var lease = _last ?? throw new InvalidOperationException("read the lease before updating it");
        var previous = lease.Spec;
        lease.Spec = ToSpec(record);
        try { _last = await leases.UpdateAsync(lease, ct: ct).ConfigureAwait(false); }
        catch { lease.Spec = previous; throw; }
    }

    private static LeaseSpec ToSpec(LeaderElectionRecord r) => new()
    {
        HolderIdentity = string.IsNullOrEmpty(r.HolderIdentity) ? null : r.HolderIdentity,
        LeaseDurationSeconds = r.LeaseDurationSeconds,
        AcquireTime = r.AcquireTime,
        RenewTime = r.RenewTime,
        LeaseTransitions = r.LeaseTransitions,
    };
}
