using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Skiff.Api.Models.Coordination.V1;
using Skiff.Client;
using Skiff.Client.Rest;
using Skiff.Api.Json;

namespace Skiff.Controllers.SimulatedNodes;

/// <summary>
/// Keeps one Lease per simulated node in kube-node-lease fresh, as a kubelet's heartbeat does: one loop
/// renews every lease each period with a few calls in flight (5,000 nodes need no 5,000 tasks). A renewal
/// that finds its lease gone recreates it. Run one <see cref="RunAsync"/> per instance.
/// </summary>
public sealed class SimulatedLeaseRenewer(KubeClient client, SimulatedNodeOptions options, ILogger logger)
{
    private const string LeaseNamespace = "kube-node-lease";

    /// <summary>Completed renewal rounds (for tests).</summary>
    public int Rounds => _rounds;
    private int _rounds;

    public async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(options.LeaseRenewInterval);
        try
        {
            do
            {
                var started = DateTimeOffset.UtcNow;
                var failures = 0;
                await Parallel.ForEachAsync(Enumerable.Range(0, options.Count), new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = ct },
                    async (i, c) => { if (!await RenewAsync(options.NodeName(i), c).ConfigureAwait(false)) Interlocked.Increment(ref failures); }).ConfigureAwait(false);
                Interlocked.Increment(ref _rounds);
                if (failures > 0) logger.LogWarning("Renewed simulated node leases with {Failures} failures", failures);
                logger.LogDebug("Renewed {Count} simulated node leases in {Elapsed}", options.Count, DateTimeOffset.UtcNow - started);
            } while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    private async Task<bool> RenewAsync(string node, CancellationToken ct)
    {
        var now = KubernetesTime.FormatMicroTime(DateTimeOffset.UtcNow);
        var patch = new JsonObject { ["spec"] = new JsonObject { ["holderIdentity"] = node, ["renewTime"] = now, ["leaseDurationSeconds"] = options.LeaseDurationSeconds } };
        try
        {
            await client.Leases.PatchAsync(LeaseNamespace, node, PatchType.Merge, patch.ToJsonString(), ct: ct).ConfigureAwait(false);
            return true;
        }
        catch (ApiException e) when (e.IsNotFound)
        {
            try
            {
                await client.Leases.CreateAsync(new Lease
                {
                    Metadata = new() { Name = node, Namespace = LeaseNamespace },
                    Spec = new LeaseSpec { HolderIdentity = node, LeaseDurationSeconds = options.LeaseDurationSeconds, RenewTime = DateTimeOffset.UtcNow },
                }, LeaseNamespace, ct: ct).ConfigureAwait(false);
                return true;
            }
            catch (ApiException e2) when (e2.IsAlreadyExists) { return true; }
            catch (Exception e2) when (e2 is ApiException or HttpRequestException) { return false; }
        }
        catch (Exception e) when (e is ApiException or HttpRequestException or IOException)
        {
            logger.LogDebug("Renewing the lease of {Node} failed: {Error}", node, e.Message);
            return false;
        }
    }
}
