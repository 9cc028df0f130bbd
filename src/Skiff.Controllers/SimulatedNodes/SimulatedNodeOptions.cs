namespace Skiff.Controllers.SimulatedNodes;

/// <summary>
/// Shape of the simulated nodes (kwok-like): how many, their names, capacity, and the label and taint
/// that keep real workloads off them. Immutable record.
/// </summary>
public sealed record SimulatedNodeOptions
{
    public int Count { get; init; }
    /// <summary>Nodes are named &lt;prefix&gt;0 .. &lt;prefix&gt;(Count-1).</summary>
    public string NamePrefix { get; init; } = "sim-node-";
    public string Cpu { get; init; } = "32";
    public string Memory { get; init; } = "256Gi";
    public string Pods { get; init; } = "110";
    public string EphemeralStorage { get; init; } = "1Ti";
    /// <summary>Every simulated node carries this label ("type=simulated").</summary>
    public const string TypeLabel = "type";
    public const string TypeValue = "simulated";
    /// <summary>kwok's taint, so manifests written for kwok clusters work here: pods must tolerate it to land on a simulated node.</summary>
    public const string TaintKey = "kwok.x-k8s.io/node";
    public const string TaintValue = "fake";
    public const string TaintEffect = "NoSchedule";
    /// <summary>How often node leases are renewed (the kubelet's default 10 s).</summary>
    public TimeSpan LeaseRenewInterval { get; init; } = TimeSpan.FromSeconds(10);
    public int LeaseDurationSeconds { get; init; } = 40;
    /// <summary>API calls in flight at once when registering nodes, renewing leases or updating pods.</summary>
    public int Concurrency { get; init; } = 8;

    public string NodeName(int i) => NamePrefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Node i's fake InternalIP: 172.30.0.0/16 plus i + 1.</summary>
    public static string NodeIp(int i) => $"172.30.{((i + 1) >> 8) & 0xff}.{(i + 1) & 0xff}";

    /// <summary>Node i's fake pod range: one /24 per node in 10.64.0.0/10.</summary>
    public static string PodCidr(int i) => $"10.{64 + (i >> 8)}.{i & 0xff}.0/24";
}
