using System.CommandLine;
using Microsoft.Extensions.Logging;
using Skiff.Controllers.SimulatedNodes;

namespace Skiff.Commands;

/// <summary><c>skiff sim-nodes --count N --kubeconfig FILE</c>: runs N simulated nodes against a cluster until interrupted.</summary>
public static class SimNodesCommand
{
    private static readonly Option<int> Count = new("--count", "-n") { Description = "Number of simulated nodes (sim-node-0 .. sim-node-N-1)", Required = true };
    private static readonly Option<string> Kubeconfig = new("--kubeconfig") { Description = "Kubeconfig of a user allowed to write nodes, leases and pods (default $KUBECONFIG)" };
    private static readonly Option<string> Prefix = new("--name-prefix") { Description = "Node name prefix (default sim-node-)" };

    public static Command Create()
    {
        var cmd = new Command("sim-nodes", "Register and run simulated nodes (kwok-like; for scale tests and benchmarks only: nothing runs)") { Count, Kubeconfig, Prefix };
        cmd.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(Kubeconfig) ?? Environment.GetEnvironmentVariable("KUBECONFIG");
            var count = parse.GetValue(Count);
            if (string.IsNullOrEmpty(path) || count < 0)
            {
                Console.Error.WriteLine("skiff sim-nodes: --kubeconfig (or $KUBECONFIG) and a non-negative --count are required");
                return 2;
            }
            var options = new SimulatedNodeOptions { Count = count, NamePrefix = parse.GetValue(Prefix) ?? "sim-node-" };
            return await CommandHost.RunAsync("simulated-nodes", path, (client, loggers, c) => new SimulatedNodes(client, options, loggers).RunAsync(c), ct);
        });
        return cmd;
    }
}
