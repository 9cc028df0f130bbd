using Skiff.Agent.Containerd;

namespace Skiff.Agent;

/// <summary>
/// The node agent's configuration, bound from flags and the config file in one place (the CLI).
/// Paths not given are derived from <see cref="DataDir"/>; see <see cref="AgentPaths"/>.
/// </summary>
public sealed record AgentOptions
{
    /// <summary>The Skiff data dir; the agent keeps everything under <c>&lt;data-dir&gt;/agent</c>.</summary>
    public required string DataDir { get; init; }

    /// <summary>
    /// An existing CRI socket (<c>unix:///run/containerd/containerd.sock</c>) to use instead of
    /// starting Skiff's own containerd. Null: Skiff supervises containerd itself.
    /// </summary>
    public string? ContainerRuntimeEndpoint { get; init; }

    /// <summary>The pod sandbox image; built by scripts/build-test-images.sh and imported from the images dir.</summary>
    public string PauseImage { get; init; } = "localhost/skiff/pause:1.0";

    /// <summary>Where the CNI plugins are; Debian's containernetworking-plugins installs them here.</summary>
    public string CniBinDir { get; init; } = "/usr/lib/cni";

    /// <summary>Where the CNI network config is written and read; null: <c>&lt;data-dir&gt;/agent/etc/cni/net.d</c>.</summary>
    public string? CniConfDir { get; init; }

    /// <summary>This node's pod range (the Node's spec.podCIDR); pods get their IPs from it.</summary>
    public string? PodCidr { get; init; }

    /// <summary>The bridge the pods' veths join.</summary>
    public string CniBridge { get; init; } = "cni0";

    /// <summary>The containerd binary to supervise.</summary>
    public string ContainerdPath { get; init; } = "containerd";

    /// <summary>The ctr binary used to import air-gap image archives.</summary>
    public string CtrPath { get; init; } = "ctr";

    /// <summary>Registry mirrors (k3s's registries.yaml); none by default: images come from their registries.</summary>
    public RegistryMirrors Registries { get; init; } = RegistryMirrors.None;

    public AgentPaths Paths => new(this);
}

/// <summary>Every file and directory the agent owns, derived once from the options.</summary>
public sealed class AgentPaths(AgentOptions options)
{
    public string AgentDir { get; } = Path.Combine(options.DataDir, "agent");
    public string ContainerdConfig => Path.Combine(AgentDir, "etc", "containerd", "config.toml");
    /// <summary>containerd's registry config_path: one dir per mirrored registry with its hosts.toml.</summary>
    public string RegistryConfigDir => Path.Combine(AgentDir, "etc", "containerd", "certs.d");
    public string ContainerdDir => Path.Combine(AgentDir, "containerd");
    public string ContainerdRoot => Path.Combine(ContainerdDir, "root");
    public string ContainerdState => Path.Combine(ContainerdDir, "state");
    public string ContainerdOpt => Path.Combine(ContainerdDir, "opt");
    public string ContainerdLog => Path.Combine(ContainerdDir, "containerd.log");
    public string ContainerdPidFile => Path.Combine(ContainerdDir, "containerd.pid");
    public string ContainerdSocket => Path.Combine(ContainerdDir, "containerd.sock");
    public string ImagesDir => Path.Combine(AgentDir, "images");
    public string CniConfDir => options.CniConfDir ?? Path.Combine(AgentDir, "etc", "cni", "net.d");
    public string CniDataDir => Path.Combine(AgentDir, "cni", "networks");

    /// <summary>The CRI socket the agent talks to: the configured endpoint, or its own containerd's.</summary>
    public string CriSocket => options.ContainerRuntimeEndpoint is { } endpoint
        ? Cri.Grpc.UnixGrpcClient.ParseEndpoint(endpoint)
        : ContainerdSocket;
}
