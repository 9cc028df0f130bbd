using Microsoft.Extensions.Logging;
using Skiff.Api.Models.Coordination.V1;
using Skiff.Api.Models.Meta.V1;
using Skiff.Client;
using Skiff.Client.Rest;

namespace Skiff.Agent.Kubelet;

/// <summary>
/// Keeps the node's Lease in kube-node-lease renewed (upstream's node lease controller): holder = the node,
/// 40 s duration, renewed every 10 s, owned by the Node so it goes with it. Runs on one task.
/// </summary>
public sealed class LeaseRenewer(KubeClient client, KubeletOptions options, Func<string?> nodeUid, ILogger<LeaseRenewer> log)
{
    public const string Namespace = "kube-node-lease";
    private Lease? _cached;

    public async Task RunAsync(CancellationToken ct)
    {
        var failing = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await RenewAsync(ct).ConfigureAwait(false);
                if (failing) log.LogInformation("Renewed the lease of node {Node} again", options.NodeName);
                failing = false;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                _cached = null;
                if (!failing) log.LogWarning("Renewing the lease of node {Node} failed: {Error}", options.NodeName, e.Message);
                failing = true;
            }
            try { await Task.Delay(failing ? TimeSpan.FromMilliseconds(500) : options.LeaseRenewInterval, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
        }
    }

    public async Task RenewAsync(CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        _cached ??= await client.Leases.TryGetAsync(Namespace, options.NodeName, ct).ConfigureAwait(false);
        if (_cached is null)
        {
            var lease = new Lease
            {
                ApiVersion = "coordination.k8s.io/v1",
                Kind = "Lease",
                Metadata = new ObjectMeta { Name = options.NodeName, Namespace = Namespace },
                Spec = new LeaseSpec { HolderIdentity = options.NodeName, LeaseDurationSeconds = options.LeaseDurationSeconds, RenewTime = now },
            };
            if (nodeUid() is { } uid)
                lease.Metadata.OwnerReferences = [new OwnerReference { ApiVersion = "v1", Kind = "Node", Name = options.NodeName, Uid = uid }];
            try { _cached = await client.Leases.CreateAsync(lease, Namespace, ct: ct).ConfigureAwait(false); }
            catch (ApiException e) when (e.IsAlreadyExists) { _cached = null; }
            return;
        }
        _cached.Spec ??= new LeaseSpec();
        _cached.Spec.HolderIdentity = options.NodeName;
        _cached.Spec.LeaseDurationSeconds = options.LeaseDurationSeconds;
        _cached.Spec.RenewTime = now;
        try { _cached = await client.Leases.UpdateAsync(_cached, ct: ct).ConfigureAwait(false); }
        catch (ApiException e) when (e.IsConflict || e.IsNotFound)
        {
            _cached = null;
            await RenewAsync(ct).ConfigureAwait(false);
        }
    }
}
