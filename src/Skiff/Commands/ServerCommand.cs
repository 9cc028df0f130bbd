using System.CommandLine;
using System.Net;
using Skiff.Server;

namespace Skiff.Commands;

/// <summary><c>skiff server</c>: parses and checks the flags, then hands over to <see cref="ServerRunner"/>.</summary>
public static class ServerCommand
{
    private static readonly Option<string> Config = new("--config", "-c") { Description = "(config) Load configuration from FILE (keys are long flag names)", DefaultValueFactory = _ => Paths.DefaultConfigFile };
    private static readonly Option<string> DataDir = new("--data-dir", "-d") { Description = "(data) Folder to hold state (default /var/lib/skiff as root, ~/.skiff otherwise)" };
    private static readonly Option<string> BindAddress = new("--bind-address") { Description = "(listener) Address the API server listens on (default 0.0.0.0)" };
    private static readonly Option<int?> HttpsPort = new("--https-listen-port") { Description = "(listener) HTTPS listen port (default 6443)" };
    private static readonly Option<string[]> TlsSan = new("--tls-san") { Description = "(listener) Add additional hostnames or IPv4/IPv6 addresses as Subject Alternative Names on the server TLS cert", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<string> WriteKubeconfig = new("--write-kubeconfig", "-o") { Description = "(client) Write kubeconfig for admin client to this file" };
    private static readonly Option<string> WriteKubeconfigMode = new("--write-kubeconfig-mode") { Description = "(client) Write kubeconfig with this mode (default 0600)" };
    private static readonly Option<bool?> DisableAgent = new("--disable-agent") { Description = "(components) Do not run a local agent and register a local kubelet" };
    private static readonly Option<string> NodeName = new("--node-name") { Description = "(agent/node) Node name (default: the host name)" };
    private static readonly Option<string[]> NodeLabel = new("--node-label") { Description = "(agent/node) Registering and starting kubelet with set of labels (key=value)", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<string[]> NodeTaint = new("--node-taint") { Description = "(agent/node) Registering kubelet with set of taints (key=value:Effect)", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<string> ContainerRuntimeEndpoint = new("--container-runtime-endpoint") { Description = "(agent/runtime) Disable the embedded containerd and use the CRI socket at the given path" };
    private static readonly Option<int?> KubeletPort = new("--kubelet-port") { Description = "(agent) Port of the kubelet API (default 10250; 0 picks a free port)" };
    private static readonly Option<string> CniBridge = new("--cni-bridge") { Description = "(agent/networking) Name of the pods' bridge (default cni0)" };
    private static readonly Option<string> ClusterCidr = new("--cluster-cidr") { Description = "(networking) IPv4 network CIDR to use for pod IPs (default 10.42.0.0/16)" };
    private static readonly Option<string> ServiceCidr = new("--service-cidr") { Description = "(networking) IPv4 network CIDR to use for service IPs (default 10.43.0.0/16)" };
    private static readonly Option<string> NodePortRange = new("--service-node-port-range") { Description = "(networking) Port range to reserve for services with NodePort visibility (default 30000-32767)" };
    private static readonly Option<string> RuntimeConfig = new("--runtime-config") { Description = "(apiserver) Extra API group/versions to enable or disable, e.g. resource.k8s.io/v1beta2=true" };

    private static readonly Option<string> CompactInterval = new("--datastore-compact-interval") { Description = "(datastore) How often old revisions are compacted, e.g. 1m or 30s (default 1m)" };
    private static readonly Option<long?> CompactKeep = new("--datastore-compact-keep") { Description = "(datastore) Revisions of history always kept for watch resumption (default 1000)" };
    private static readonly Option<string> CompactMinAge = new("--datastore-compact-min-age") { Description = "(datastore) History newer than this is never compacted, e.g. 5m (default 5m)" };

    private static readonly Option<bool?> DisableScheduler = new("--disable-scheduler") { Description = "(components) Do not run the scheduler" };
    private static readonly Option<int?> SimulatedNodes = new("--simulated-nodes") { Description = "(testing) Register and run N simulated nodes (type=simulated, tainted kwok.x-k8s.io/node=fake:NoSchedule)", Hidden = true };

    private static readonly Option[] All = [Config, DataDir, BindAddress, HttpsPort, TlsSan, WriteKubeconfig, WriteKubeconfigMode, DisableAgent, DisableScheduler, NodeName, NodeLabel, NodeTaint, ContainerRuntimeEndpoint, CniBridge, KubeletPort, ClusterCidr, ServiceCidr, NodePortRange, RuntimeConfig, CompactInterval, CompactKeep, CompactMinAge, SimulatedNodes];

    public static Command Create()
    {
        var cmd = new Command("server", "Run the Skiff server (API server, datastore and, unless disabled, the agent)");
        foreach (var o in All) cmd.Options.Add(o);
        cmd.SetAction(async (parse, ct) =>
        {
            ServerOptions options;
            try { options = Bind(parse); }
            catch (Exception e) when (e is FormatException or IOException or ArgumentException)
            {
                Console.Error.WriteLine($"skiff server: {e.Message}");
                return 2;
            }
            return await ServerRunner.RunAsync(options, ct);
        });
        return cmd;
    }

    /// <summary>Flags win over SKIFF_* environment variables, which win over the config file.</summary>
    private static ServerOptions Bind(ParseResult parse)
    {
        var configPath = parse.GetValue(Config)!;
        var explicitConfig = parse.GetResult(Config) is { Implicit: false };
        ParseResult? file = null;
        if (File.Exists(configPath))
        {
            var args = ConfigFile.ToArguments(configPath);
            var root = new RootCommand();
            var inner = new Command("server");
            foreach (var o in All) inner.Options.Add(o);
            root.Subcommands.Add(inner);
            file = root.Parse(["server", .. args]);
            if (file.Errors.Count > 0) throw new FormatException($"{configPath}: {string.Join("; ", file.Errors.Select(e => e.Message))}");
        }
        else if (explicitConfig) throw new IOException($"config file {configPath} does not exist");

        T? Get<T>(Option<T> o)
        {
            if (parse.GetResult(o) is { Implicit: false }) return parse.GetValue(o);
            var env = Environment.GetEnvironmentVariable("SKIFF_" + o.Name.TrimStart('-').Replace('-', '_').ToUpperInvariant());
            if (!string.IsNullOrEmpty(env))
            {
                var r = new RootCommand { o };
                var p = r.Parse(typeof(T) == typeof(string[]) ? [.. env.Split(',').SelectMany(v => new[] { o.Name, v.Trim() })] : [o.Name, env]);
                if (p.Errors.Count > 0) throw new FormatException($"SKIFF_{o.Name.TrimStart('-').Replace('-', '_').ToUpperInvariant()}: {p.Errors[0].Message}");
                return p.GetValue(o);
            }
            if (file is not null && file.GetResult(o) is { Implicit: false }) return file.GetValue(o);
            return default;
        }

        var bind = Get(BindAddress);
        IPAddress address = IPAddress.Any;
        if (bind is not null && !IPAddress.TryParse(bind, out address!))
            throw new FormatException($"--bind-address: \"{bind}\" is not an IP address");
        var port = Get(HttpsPort) ?? 6443;
        if (port is < 1 or > 65535) throw new FormatException($"--https-listen-port: {port} is not a valid port");
        var mode = Get(WriteKubeconfigMode) ?? "0600";
        if (!IsOctalMode(mode)) throw new FormatException($"--write-kubeconfig-mode: \"{mode}\" is not an octal file mode");
        var serviceCidr = Get(ServiceCidr) ?? "10.43.0.0/16";
        var clusterCidr = Get(ClusterCidr) ?? "10.42.0.0/16";
        foreach (var (flag, cidr) in new[] { ("--service-cidr", serviceCidr), ("--cluster-cidr", clusterCidr) })
            if (!IPNetwork.TryParse(cidr, out _)) throw new FormatException($"{flag}: \"{cidr}\" is not a CIDR");

        var range = Get(NodePortRange) ?? "30000-32767";
        var m = System.Text.RegularExpressions.Regex.Match(range, @"^(\d+)-(\d+)$");
        if (!m.Success || int.Parse(m.Groups[1].Value) is var lo && int.Parse(m.Groups[2].Value) is var hi && (lo < 1 || hi > 65535 || lo > hi))
            throw new FormatException($"--service-node-port-range: \"{range}\" is not a port range like 30000-32767");

        return new ServerOptions
        {
            NodePortRange = (lo, hi),
            DataDir = Path.GetFullPath(Get(DataDir) ?? Paths.DefaultDataDir),
            BindAddress = address,
            HttpsListenPort = port,
            TlsSans = Get(TlsSan) ?? [],
            WriteKubeconfig = Get(WriteKubeconfig) is { } k ? Path.GetFullPath(k) : null,
            WriteKubeconfigMode = mode,
            DisableAgent = Get(DisableAgent) ?? false,
            Agent = AgentSettingsFrom(Get(NodeName), Get(NodeLabel), Get(NodeTaint), Get(ContainerRuntimeEndpoint), Get(CniBridge), Get(KubeletPort)),
            ClusterCidr = clusterCidr,
            ServiceCidr = serviceCidr,
            RuntimeConfig = Get(RuntimeConfig),
            CompactInterval = Duration(Get(CompactInterval), "--datastore-compact-interval") ?? TimeSpan.FromMinutes(1),
            CompactKeep = Get(CompactKeep) ?? 1000,
            CompactMinAge = Duration(Get(CompactMinAge), "--datastore-compact-min-age") ?? TimeSpan.FromMinutes(5),
            DisableScheduler = Get(DisableScheduler) ?? false,
            SimulatedNodes = Get(SimulatedNodes) is { } n ? (n >= 0 ? n : throw new FormatException("--simulated-nodes: must not be negative")) : 0,
        };
    }

    private static Skiff.Agent.AgentSettings AgentSettingsFrom(string? nodeName, string[]? labels, string[]? taints, string? endpoint, string? bridge, int? kubeletPort)
    {
        var settings = new Skiff.Agent.AgentSettings
        {
            NodeLabels = Skiff.Agent.AgentSettings.ParseLabels(labels ?? []),
            NodeTaints = Skiff.Agent.AgentSettings.ParseTaints(taints ?? []),
            ContainerRuntimeEndpoint = endpoint,
        };
        if (!string.IsNullOrEmpty(nodeName))
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(nodeName, @"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$"))
                throw new FormatException($"--node-name: \"{nodeName}\" is not a valid node name (lower-case DNS subdomain)");
            settings = settings with { NodeName = nodeName };
        }
        if (!string.IsNullOrEmpty(bridge))
        {
            if (bridge.Length > 15) throw new FormatException($"--cni-bridge: \"{bridge}\" is longer than 15 characters");
            settings = settings with { CniBridge = bridge };
        }
        if (kubeletPort is { } kp)
        {
            if (kp is < 0 or > 65535) throw new FormatException($"--kubelet-port: {kp} is not a valid port");
            settings = settings with { KubeletPort = kp };
        }
        return settings;
    }

    /// <summary>Go-style durations: 90s, 5m, 1h, 1m30s, 250ms, 0.</summary>
    public static TimeSpan? Duration(string? text, string flag)
    {
        if (text is null) return null;
        if (text == "0") return TimeSpan.Zero;
        var m = System.Text.RegularExpressions.Regex.Match(text, @"^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$");
        if (!m.Success || text.Length == 0) throw new FormatException($"{flag}: \"{text}\" is not a duration (e.g. 30s, 5m, 1h)");
        int G(int i) => m.Groups[i].Success ? int.Parse(m.Groups[i].Value) : 0;
        return new TimeSpan(0, G(1), G(2), G(3), G(4));
    }

    private static bool IsOctalMode(string m) => m.Length is >= 3 and <= 4 && m.All(c => c is >= '0' and <= '7');
}
