using Microsoft.Extensions.Logging;
using Skiff.Agent.Kubelet;
using Skiff.Client;

namespace Skiff.Agent;

/// <summary>
/// The agent role: the node's container runtime (Skiff's containerd, or --container-runtime-endpoint) and
/// the kubelet over it, talking to the API server with the node's own client. Used by <c>skiff server</c>
/// (in-process, credentials from the cluster PKI) and <c>skiff agent</c> (credentials from joining with a token).
/// Stopping it stops containerd but leaves pods running, so a restarted agent re-adopts them; <c>skiff killall</c>
/// stops everything.
/// </summary>
public static class AgentRunner
{
    public static async Task RunAsync(string dataDir, AgentSettings settings, KubeClient client, AgentCredentials credentials,
        bool controlPlane, string kubeletVersion, ILoggerFactory loggers, CancellationToken ct)
    {
        var log = loggers.CreateLogger("agent");
        var agent = new AgentOptions
        {
            DataDir = dataDir,
            ContainerRuntimeEndpoint = settings.ContainerRuntimeEndpoint,
            CniBridge = settings.CniBridge,
            Registries = settings.Registries,
        };
        await using var runtime = await NodeRuntime.StartAsync(agent, loggers, ct);
        log.LogInformation("Container runtime ready; starting the kubelet for node {Node}", settings.NodeName);

        // The kubelet API (logs, exec, attach, port-forward for the API server), served with a certificate
        // from the cluster's server CA for the node's name and address; only the API server's client certificate may call.
        var known = new Server.KnownPods();
        await using var kubeletApi = await Server.KubeletServer.StartAsync(new Server.KubeletServerOptions
        {
            Port = settings.KubeletPort,
            ServingCertificate = credentials.ServingCertificate,
            ClientCaPem = credentials.ClientCaPem,
            Pods = known,
        }, runtime.Runtime, loggers, ct);
        log.LogInformation("Kubelet API listening on :{Port}", kubeletApi.Port);

        var volumes = new Volumes.VolumeManager(client, Path.Combine(agent.Paths.AgentDir, "pods"), loggers.CreateLogger("volumes"), credentials.ServerCaPem)
        {
            PodMemoryLimit = pod => Kubelet.Cgroups.PodResourceConfig.For(pod.Spec ?? new()).MemoryLimit,
        };
        var kubelet = new Kubelet.Kubelet(client, runtime, agent, new KubeletOptions
        {
            NodeName = settings.NodeName,
            NodeIp = settings.NodeIp,
            NodeLabels = settings.NodeLabels,
            NodeTaints = settings.NodeTaints,
            ControlPlane = controlPlane,
            KubeletVersion = kubeletVersion,
            KubeletPort = kubeletApi.Port,
            MaxPods = settings.KubeletArgs.MaxPods ?? 110,
            EvictionHard = settings.KubeletArgs.EvictionHard ?? Kubelet.Eviction.EvictionThreshold.Defaults,
            EvictionSoft = settings.KubeletArgs.EvictionSoft ?? [],
            EvictionMaxPodGracePeriodSeconds = settings.KubeletArgs.EvictionMaxPodGracePeriodSeconds ?? 0,
            EvictionPressureTransitionPeriod = settings.KubeletArgs.EvictionPressureTransitionPeriod ?? TimeSpan.FromMinutes(5),
            ImageGc = settings.KubeletArgs.ImageGc(),
            ContainerLogs = new Logs.LogRotationPolicy(settings.KubeletArgs.ContainerLogMaxSize ?? Logs.LogRotationPolicy.Default.MaxSizeBytes,
                settings.KubeletArgs.ContainerLogMaxFiles ?? Logs.LogRotationPolicy.Default.MaxFiles),
        }, loggers, volumes, known);
        try { await kubelet.RunAsync(ct); }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        log.LogInformation("Agent stopping; pods keep running until `skiff killall`");
    }
}

/// <summary>
/// What the agent needs from the cluster's PKI: the kubelet API's serving certificate (server CA, with its key),
/// the client CA that the API server's certificate towards kubelets chains to, and the server CA (for the root CA
/// that service account token volumes carry).
/// </summary>
public sealed record AgentCredentials(System.Security.Cryptography.X509Certificates.X509Certificate2 ServingCertificate, string ClientCaPem, string ServerCaPem);
