using System.CommandLine;
using System.Net;

namespace Skiff.Commands;

/// <summary>
/// The node flags <c>skiff server</c> (for its own agent) and <c>skiff agent</c> share, defined once and checked once.
/// Each command makes its own instance (an option belongs to one command).
/// </summary>
internal sealed class AgentFlags
{
    public Option<string> NodeName { get; } = new("--node-name") { Description = "(agent/node) Node name (default: the host name)" };
    public Option<string> NodeIp { get; } = new("--node-ip", "-i") { Description = "(agent/networking) IPv4 address to advertise for the node (default: the default route's interface address)" };
    public Option<string[]> NodeLabel { get; } = new("--node-label") { Description = "(agent/node) Registering and starting kubelet with set of labels (key=value)", AllowMultipleArgumentsPerToken = false };
    public Option<string[]> NodeTaint { get; } = new("--node-taint") { Description = "(agent/node) Registering kubelet with set of taints (key=value:Effect)", AllowMultipleArgumentsPerToken = false };
    public Option<string> ContainerRuntimeEndpoint { get; } = new("--container-runtime-endpoint") { Description = "(agent/runtime) Disable the embedded containerd and use the CRI socket at the given path" };
    public Option<int?> KubeletPort { get; } = new("--kubelet-port") { Description = "(agent) Port of the kubelet API (default 10250; 0 picks a free port)" };
    public Option<string[]> KubeletArg { get; } = new("--kubelet-arg") { Description = "(agent/flags) Customized flag for kubelet process (eviction-hard, eviction-soft, eviction-soft-grace-period, eviction-minimum-reclaim, eviction-max-pod-grace-period, eviction-pressure-transition-period, container-log-max-size, container-log-max-files, image-gc-high-threshold, image-gc-low-threshold, minimum-image-ttl-duration, max-pods)", AllowMultipleArgumentsPerToken = false };
    public Option<string> CniBridge { get; } = new("--cni-bridge") { Description = "(agent/networking) Name of the pods' bridge (default cni0)" };

    public Option<string> PrivateRegistry { get; } = new("--private-registry") { Description = $"(agent/runtime) Private registry configuration file (default: {RegistriesFile.DefaultPath} when it exists)" };
    public Option<bool?> DisableDefaultRegistryEndpoint { get; } = new("--disable-default-registry-endpoint") { Description = "(agent/containerd) Pull only from the registries file's mirrors, never from a registry's own endpoint" };

    public Option[] All => [NodeName, NodeIp, NodeLabel, NodeTaint, KubeletArg, ContainerRuntimeEndpoint, CniBridge, KubeletPort, PrivateRegistry, DisableDefaultRegistryEndpoint];

    /// <exception cref="FormatException">A value is malformed; the message names the flag.</exception>
    public Skiff.Agent.AgentSettings Bind(OptionSources sources)
    {
        var settings = new Skiff.Agent.AgentSettings
        {
            NodeLabels = Skiff.Agent.AgentSettings.ParseLabels(sources.Get(NodeLabel) ?? []),
            NodeTaints = Skiff.Agent.AgentSettings.ParseTaints(sources.Get(NodeTaint) ?? []),
            ContainerRuntimeEndpoint = sources.Get(ContainerRuntimeEndpoint),
            KubeletArgs = Skiff.Agent.AgentSettings.ParseKubeletArgs(sources.Get(KubeletArg) ?? []),
        };
        if (sources.Get(NodeName) is { Length: > 0 } nodeName)
        {
            if (Skiff.Api.Validation.NameFormats.IsDns1123Subdomain(nodeName).Count > 0)
                throw new FormatException($"--node-name: \"{nodeName}\" is not a valid node name (lower-case DNS subdomain)");
            settings = settings with { NodeName = nodeName };
        }
        if (sources.Get(NodeIp) is { Length: > 0 } nodeIp)
        {
            if (!IPAddress.TryParse(nodeIp, out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
                throw new FormatException($"--node-ip: \"{nodeIp}\" is not an IPv4 address");
            settings = settings with { NodeIp = ip.ToString() };
        }
        if (sources.Get(CniBridge) is { Length: > 0 } bridge)
        {
            if (bridge.Length > 15) throw new FormatException($"--cni-bridge: \"{bridge}\" is longer than 15 characters");
            settings = settings with { CniBridge = bridge };
        }
        if (sources.Get(KubeletPort) is { } kp)
        {
            if (kp is < 0 or > 65535) throw new FormatException($"--kubelet-port: {kp} is not a valid port");
            settings = settings with { KubeletPort = kp };
        }
        var registries = sources.Get(PrivateRegistry) is { Length: > 0 } file ? file : File.Exists(RegistriesFile.DefaultPath) ? RegistriesFile.DefaultPath : null;
        var disableDefault = sources.Get(DisableDefaultRegistryEndpoint) ?? false;
        if (registries is not null)
        {
            if (!File.Exists(registries)) throw new FormatException($"--private-registry: {registries} does not exist");
            settings = settings with { Registries = RegistriesFile.Load(registries, disableDefault) };
        }
        else if (disableDefault) throw new FormatException("--disable-default-registry-endpoint: needs a registries file with mirrors (--private-registry)");
        return settings;
    }
}
