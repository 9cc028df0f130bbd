using Microsoft.Extensions.Logging;
using Skiff.Client;
using Skiff.Client.Informers;

namespace Skiff.Controllers;

/// <summary>Settings of the controller manager.</summary>
public sealed record ControllerManagerOptions
{
    /// <summary>The API server's CA certificate (PEM), published to every namespace as kube-root-ca.crt.</summary>
    public required string RootCaPem { get; init; }

    /// <summary>The range node pod CIDRs are cut from (--cluster-cidr); null turns node IPAM off.</summary>
    public string? ClusterCidr { get; init; } = "10.42.0.0/16";

    /// <summary>The node lifecycle controller's periods (--kube-controller-manager-arg node-monitor-*).</summary>
    public NodeLifecycle.NodeLifecycleOptions NodeLifecycle { get; init; } = new();

    /// <summary>The pod garbage collector's settings (--kube-controller-manager-arg terminated-pod-gc-threshold).</summary>
    public PodGc.PodGcOptions PodGc { get; init; } = new();
}

/// <summary>
/// Runs the cluster's controllers over one API client (the controller manager's own identity)
/// and one shared informer cache, until cancelled. Each controller is independent; one failing is
/// logged and restarted after a pause (<see cref="Common.Restarting"/>), so it never takes the others down.
/// </summary>
public sealed class ControllerManager(KubeClient client, ControllerManagerOptions options, ILoggerFactory loggers)
{
    private readonly ILogger _log = loggers.CreateLogger("controller-manager");

    public async Task RunAsync(CancellationToken ct)
    {
        await using var informers = new SharedInformerFactory(client, loggers: loggers);
        await Task.WhenAll(
            KeepRunning("garbage-collector", c => new GarbageCollector.GarbageCollectorController(client, loggers).RunAsync(c), ct),
            KeepRunning("serviceaccounts", c => new ServiceAccounts.ServiceAccountsController(client, informers, loggers).RunAsync(c), ct),
            KeepRunning("root-ca-publisher", c => new RootCaPublisher.RootCaPublisher(client, informers, options.RootCaPem, loggers).RunAsync(c), ct),
            KeepRunning("disruption", c => new Disruption.DisruptionController(client, informers, loggers).RunAsync(c), ct),
            KeepRunning("node-lifecycle", c => new NodeLifecycle.NodeLifecycleController(client, informers, options.NodeLifecycle, loggers).RunAsync(c), ct),
            KeepRunning("taint-eviction", c => new TaintEviction.TaintEvictionController(client, informers, loggers).RunAsync(c), ct),
            KeepRunning("pod-garbage-collector", c => new PodGc.PodGcController(client, informers, options.PodGc, loggers).RunAsync(c), ct),
            options.ClusterCidr is { } cidr
                ? KeepRunning("node-ipam", c => new NodeIpam.NodeIpamController(client, informers, cidr, loggers).RunAsync(c), ct)
                : Task.CompletedTask);
    }

    private Task KeepRunning(string name, Func<CancellationToken, Task> run, CancellationToken ct) =>
        Common.Restarting.RunAsync(name, run, _log, ct);
}
