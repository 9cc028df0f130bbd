using Microsoft.Extensions.Logging;
using Skiff.Agent.Kubelet;
using Skiff.Client;

namespace Skiff.Agent;

/// <summary>
/// The agent role: the node's container runtime (Skiff's containerd, or --container-runtime-endpoint) and
/// the kubelet over it, talking to the API server with the node's own client. Used by <c>skiff server</c>
/// (in-process) and, later, <c>skiff agent</c>. Stopping it stops containerd but leaves pods running, so a
/// restarted agent re-adopts them; <c>skiff killall</c> stops everything.
/// </summary>
public static class AgentRunner
{
    public static async Task RunAsync(string dataDir, AgentSettings settings, KubeClient client, bool controlPlane, string kubeletVersion,
        ILoggerFactory loggers, CancellationToken ct)
    {
        var log = loggers.CreateLogger("agent");
        var agent = new AgentOptions
        {
            DataDir = dataDir,
            ContainerRuntimeEndpoint = settings.ContainerRuntimeEndpoint,
            CniBridge = settings.CniBridge,
        };
        await using var runtime = await NodeRuntime.StartAsync(agent, loggers, ct);
        log.LogInformation("Container runtime ready; starting the kubelet for node {Node}", settings.NodeName);
        var kubelet = new Kubelet.Kubelet(client, runtime, agent, new KubeletOptions
        {
            NodeName = settings.NodeName,
            NodeLabels = settings.NodeLabels,
            NodeTaints = settings.NodeTaints,
            ControlPlane = controlPlane,
            KubeletVersion = kubeletVersion,
        }, loggers);
        try { await kubelet.RunAsync(ct); }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        log.LogInformation("Agent stopping; pods keep running until `skiff killall`");
    }
}
