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
    private static readonly Option<string> Token = new("--token", "-t") { Description = "(cluster) Shared secret agents join with (default: made once and kept in <data-dir>/server/token)" };
    private static readonly AgentFlags AgentFlags = new();
    private static readonly Option<bool?> DisableAgent = new("--disable-agent") { Description = "(components) Do not run a local agent and register a local kubelet" };
    private static readonly Option<string> ClusterCidr = new("--cluster-cidr") { Description = "(networking) IPv4 network CIDR to use for pod IPs (default 10.42.0.0/16)" };
    private static readonly Option<string> ServiceCidr = new("--service-cidr") { Description = "(networking) IPv4 network CIDR to use for service IPs (default 10.43.0.0/16)" };
    private static readonly Option<string> NodePortRange = new("--service-node-port-range") { Description = "(networking) Port range to reserve for services with NodePort visibility (default 30000-32767)" };
    private static readonly Option<string> RuntimeConfig = new("--runtime-config") { Description = "(apiserver) Extra API group/versions to enable or disable, e.g. resource.k8s.io/v1beta2=true" };

    private static readonly Option<string> CompactInterval = new("--datastore-compact-interval") { Description = "(datastore) How often old revisions are compacted, e.g. 1m or 30s (default 1m)" };
    private static readonly Option<long?> CompactKeep = new("--datastore-compact-keep") { Description = "(datastore) Revisions of history always kept for watch resumption (default 1000)" };
    private static readonly Option<string> CompactMinAge = new("--datastore-compact-min-age") { Description = "(datastore) History newer than this is never compacted, e.g. 5m (default 5m)" };

    private static readonly Option<string[]> ControllerManagerArg = new("--kube-controller-manager-arg") { Description = "(flags) Customized flag for kube-controller-manager process (node-monitor-period, node-monitor-grace-period, node-startup-grace-period, terminated-pod-gc-threshold)", AllowMultipleArgumentsPerToken = false };

    private static readonly Option<bool?> DisableScheduler = new("--disable-scheduler") { Description = "(components) Do not run the scheduler" };
    private static readonly Option<int?> SimulatedNodes = new("--simulated-nodes") { Description = "(testing) Register and run N simulated nodes (type=simulated, tainted kwok.x-k8s.io/node=fake:NoSchedule)", Hidden = true };

    private static readonly Option[] All = [Config, DataDir, BindAddress, HttpsPort, TlsSan, WriteKubeconfig, WriteKubeconfigMode, Token, DisableAgent, DisableScheduler, .. AgentFlags.All, ClusterCidr, ServiceCidr, NodePortRange, RuntimeConfig, CompactInterval, CompactKeep, CompactMinAge, ControllerManagerArg, SimulatedNodes];

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
        var sources = OptionSources.Bind(parse, Config, "server", All);
        T? Get<T>(Option<T> o) => sources.Get(o);

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

        var controllerManager = ParseControllerManagerArgs(Get(ControllerManagerArg) ?? []);
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
            Token = Get(Token),
            Agent = AgentFlags.Bind(sources),
            ClusterCidr = clusterCidr,
            ServiceCidr = serviceCidr,
            RuntimeConfig = Get(RuntimeConfig),
            CompactInterval = Duration(Get(CompactInterval), "--datastore-compact-interval") ?? TimeSpan.FromMinutes(1),
            CompactKeep = Get(CompactKeep) ?? 1000,
            CompactMinAge = Duration(Get(CompactMinAge), "--datastore-compact-min-age") ?? TimeSpan.FromMinutes(5),
            DisableScheduler = Get(DisableScheduler) ?? false,
            NodeLifecycle = controllerManager.NodeLifecycle,
            PodGc = controllerManager.PodGc,
            SimulatedNodes = Get(SimulatedNodes) is { } n ? (n >= 0 ? n : throw new FormatException("--simulated-nodes: must not be negative")) : 0,
        };
    }

    /// <summary>
    /// k3s's --kube-controller-manager-arg "flag=value" items (a leading "--" is allowed): node-monitor-period,
    /// node-monitor-grace-period and node-startup-grace-period (Go durations) and terminated-pod-gc-threshold; any
    /// other flag is refused rather than ignored.
    /// </summary>
    public static (Skiff.Controllers.NodeLifecycle.NodeLifecycleOptions NodeLifecycle, Skiff.Controllers.PodGc.PodGcOptions PodGc) ParseControllerManagerArgs(IEnumerable<string> items)
    {
        return FlagValueItems.Fold(items, "--kube-controller-manager-arg",
            (NodeLifecycle: new Skiff.Controllers.NodeLifecycle.NodeLifecycleOptions(), PodGc: new Skiff.Controllers.PodGc.PodGcOptions()),
            (options, flag, value) => flag switch
            {
                "node-monitor-period" => options with { NodeLifecycle = options.NodeLifecycle with { MonitorPeriod = Positive(value) } },
                "node-monitor-grace-period" => options with { NodeLifecycle = options.NodeLifecycle with { MonitorGracePeriod = Positive(value) } },
                "node-startup-grace-period" => options with { NodeLifecycle = options.NodeLifecycle with { StartupGracePeriod = Positive(value) } },
                "terminated-pod-gc-threshold" => options with
                {
                    PodGc = options.PodGc with
                    {
                        TerminatedPodThreshold = int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
                            ? n : throw new FormatException($"\"{value}\" is not a number (0 keeps every finished pod)"),
                    },
                },
                _ => throw new FormatException($"unknown flag \"{flag}\" (Skiff's controller manager takes node-monitor-period, node-monitor-grace-period, node-startup-grace-period and terminated-pod-gc-threshold)"),
            });

        static TimeSpan Positive(string value) =>
            Skiff.Agent.Kubelet.GoDuration.Parse(value) is var d && d > TimeSpan.Zero ? d : throw new FormatException("the duration must be positive");
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
