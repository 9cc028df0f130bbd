using Microsoft.Extensions.Logging;
using Skiff.Client;

namespace Skiff.Controllers.SimulatedNodes;

/// <summary>
/// N simulated nodes for scale tests and benchmarks (like kwok): registers the Nodes, then keeps their
/// leases fresh and plays kubelet for the pods bound to them until cancelled. The nodes stay registered
/// after a stop (a later run with the same names takes them over). Not for real workloads: nothing runs.
/// </summary>
public sealed class SimulatedNodes(KubeClient client, SimulatedNodeOptions options, ILoggerFactory loggers)
{
    public async Task RunAsync(CancellationToken ct)
    {
        var log = loggers.CreateLogger("simulated-nodes");
        if (options.Count <= 0) return;
        await new SimulatedNodeRegistrar(client, options, log).RegisterAllAsync(ct).ConfigureAwait(false);
        await Task.WhenAll(
            new SimulatedLeaseRenewer(client, options, log).RunAsync(ct),
            new SimulatedKubelet(client, options, loggers).RunAsync(ct)).ConfigureAwait(false);
    }
}
