using System.Net;

namespace Skiff.Server;

/// <summary>Everything <c>skiff server</c> was told, after flags, SKIFF_* variables and the config file are merged.</summary>
public sealed record ServerOptions
{
    public required string DataDir { get; init; }
    public IPAddress BindAddress { get; init; } = IPAddress.Any;
    public int HttpsListenPort { get; init; } = 6443;
    public IReadOnlyList<string> TlsSans { get; init; } = [];
    public string? WriteKubeconfig { get; init; }
    public string WriteKubeconfigMode { get; init; } = "0600";
    public bool DisableAgent { get; init; }
    /// <summary>The join token's password (<c>--token</c>, short or secure form); null keeps the stored one or makes one.</summary>
    public string? Token { get; init; }
    /// <summary>The local agent's settings (unless <see cref="DisableAgent"/>).</summary>
    public Agent.AgentSettings Agent { get; init; } = new();
    public string ClusterCidr { get; init; } = "10.42.0.0/16";
    public string ServiceCidr { get; init; } = "10.43.0.0/16";
    public (int Min, int Max) NodePortRange { get; init; } = (30000, 32767);
    public string? RuntimeConfig { get; init; }
    public TimeSpan CompactInterval { get; init; } = TimeSpan.FromMinutes(1);
    public long CompactKeep { get; init; } = 1000;
    public TimeSpan CompactMinAge { get; init; } = TimeSpan.FromMinutes(5);
    public bool DisableScheduler { get; init; }
    /// <summary>The node lifecycle controller's periods, from --kube-controller-manager-arg.</summary>
    public Skiff.Controllers.NodeLifecycle.NodeLifecycleOptions NodeLifecycle { get; init; } = new();
    /// <summary>The pod garbage collector's threshold, from --kube-controller-manager-arg.</summary>
    public Skiff.Controllers.PodGc.PodGcOptions PodGc { get; init; } = new();
    /// <summary>Simulated nodes to register and run in-process (tests and benchmarks); 0: none.</summary>
    public int SimulatedNodes { get; init; }

    public string ServerDir => Path.Combine(DataDir, "server");
    public string TlsDir => Path.Combine(ServerDir, "tls");
    public string DbPath => Path.Combine(ServerDir, "db", "state.db");
    public string KubeconfigPath => WriteKubeconfig ?? Paths.DefaultKubeconfig(DataDir);
}
