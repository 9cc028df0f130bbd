using Skiff.Api.Models.Core.V1;

namespace Skiff.Agent;

/// <summary>
/// The agent flags <c>skiff server</c> and <c>skiff agent</c> share (--node-name, --node-label, --node-taint,
/// --container-runtime-endpoint, --cni-bridge), parsed and checked once. Immutable record.
/// </summary>
public sealed record AgentSettings
{
    /// <summary>Defaults to the host name in lower case, as k3s.</summary>
    public string NodeName { get; init; } = System.Net.Dns.GetHostName().ToLowerInvariant();
    public IReadOnlyDictionary<string, string> NodeLabels { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<Taint> NodeTaints { get; init; } = [];
    public string? ContainerRuntimeEndpoint { get; init; }
    public string CniBridge { get; init; } = "cni0";
    /// <summary>The kubelet API's port (upstream's --port); 0 picks a free one (tests running several agents).</summary>
    public int KubeletPort { get; init; } = 10250;
    /// <summary>The node's InternalIP (k3s's --node-ip); null: the address of the default route's interface.</summary>
    public string? NodeIp { get; init; }
    /// <summary>Registry mirrors from the registries file (--private-registry), with --disable-default-registry-endpoint.</summary>
    public Containerd.RegistryMirrors Registries { get; init; } = Containerd.RegistryMirrors.None;
    /// <summary>Kubelet flags given with --kubelet-arg (k3s's), those Skiff's kubelet has.</summary>
    public KubeletArgs KubeletArgs { get; init; } = new();

    /// <summary>
    /// "flag=value" items of k3s's --kubelet-arg (a leading "--" is allowed). Skiff's kubelet takes eviction-hard,
    /// eviction-soft, eviction-soft-grace-period, eviction-minimum-reclaim, eviction-max-pod-grace-period, eviction-pressure-transition-period,
    /// container-log-max-size, container-log-max-files, image-gc-high-threshold, image-gc-low-threshold,
    /// minimum-image-ttl-duration and max-pods; any other flag is refused rather than ignored.
    /// </summary>
    public static KubeletArgs ParseKubeletArgs(IEnumerable<string> items)
    {
        string? soft = null, softGrace = null, minimumReclaim = null;
        var args = FlagValueItems.Fold(items, "--kubelet-arg", new KubeletArgs(), (parsed, flag, value) =>
        {
            switch (flag)
            {
                // The soft thresholds, their grace periods and the minimum reclaim are read together once all items are in.
                case "eviction-soft": soft = value; return parsed;
                case "eviction-soft-grace-period": softGrace = value; return parsed;
                case "eviction-minimum-reclaim": minimumReclaim = value; return parsed;
            }
            return flag switch
            {
                "eviction-hard" => parsed with { EvictionHard = Kubelet.Eviction.EvictionThreshold.Parse(value) },
                "eviction-max-pod-grace-period" => parsed with { EvictionMaxPodGracePeriodSeconds = long.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var g) && g >= 0
                    ? g : throw new FormatException($"\"{value}\" is not a number of seconds") },
                "eviction-pressure-transition-period" => parsed with { EvictionPressureTransitionPeriod = NonNegative(Kubelet.GoDuration.Parse(value)) },
                "container-log-max-size" => parsed with { ContainerLogMaxSize = PositiveQuantity(value) },
                "container-log-max-files" => parsed with { ContainerLogMaxFiles = int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var files) && files > 1
                    ? files : throw new FormatException($"\"{value}\" is not a number greater than 1") },
                "image-gc-high-threshold" => parsed with { ImageGcHighThresholdPercent = Kubelet.ImageGc.ImageGcPolicy.ParsePercent(value) },
                "image-gc-low-threshold" => parsed with { ImageGcLowThresholdPercent = Kubelet.ImageGc.ImageGcPolicy.ParsePercent(value) },
                "minimum-image-ttl-duration" => parsed with { MinimumImageTtl = NonNegative(Kubelet.GoDuration.Parse(value)) },
                "max-pods" => parsed with { MaxPods = int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0
                    ? n : throw new FormatException($"\"{value}\" is not a positive number") },
                _ => throw new FormatException($"unknown flag \"{flag}\" (Skiff's kubelet takes {Taken})"),
            };
        });
        if (soft is not null || softGrace is not null)
        {
            try { args = args with { EvictionSoft = Kubelet.Eviction.EvictionThreshold.ParseSoft(soft ?? "", softGrace ?? "") }; }
            catch (FormatException e) { throw new FormatException($"--kubelet-arg eviction-soft: {e.Message}", e); }
        }
        if (minimumReclaim is not null)
        {
            try
            {
                args = args with
                {
                    EvictionHard = Kubelet.Eviction.EvictionThreshold.WithMinimumReclaim(args.EvictionHard ?? Kubelet.Eviction.EvictionThreshold.Defaults, minimumReclaim),
                    EvictionSoft = args.EvictionSoft is { } s ? Kubelet.Eviction.EvictionThreshold.WithMinimumReclaim(s, minimumReclaim) : null,
                };
            }
            catch (FormatException e) { throw new FormatException($"--kubelet-arg eviction-minimum-reclaim: {e.Message}", e); }
        }
        try { args.ImageGc().Validated(); }
        catch (FormatException e) { throw new FormatException($"--kubelet-arg: {e.Message}", e); }
        return args;
    }

    private const string Taken = "eviction-hard, eviction-soft, eviction-soft-grace-period, eviction-minimum-reclaim, eviction-max-pod-grace-period, eviction-pressure-transition-period, "
        + "container-log-max-size, container-log-max-files, image-gc-high-threshold, image-gc-low-threshold, minimum-image-ttl-duration and max-pods";

    private static long PositiveQuantity(string value)
    {
        decimal bytes;
        try { bytes = Kubelet.Quantities.Parse(value); }
        catch (FormatException) { throw new FormatException($"\"{value}\" is not a quantity"); }
        return bytes is >= 1 and <= long.MaxValue ? (long)bytes : throw new FormatException($"\"{value}\" must be a positive size");
    }

    private static TimeSpan NonNegative(TimeSpan d) => d >= TimeSpan.Zero ? d : throw new FormatException("the duration must not be negative");

    /// <summary>"key=value" labels.</summary>
    public static Dictionary<string, string> ParseLabels(IEnumerable<string> items)
    {
        var labels = new Dictionary<string, string>();
        foreach (var item in items.SelectMany(i => i.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var eq = item.IndexOf('=');
            if (eq <= 0) throw new FormatException($"--node-label: \"{item}\" is not key=value");
            labels[item[..eq]] = item[(eq + 1)..];
        }
        return labels;
    }

    /// <summary>"key=value:Effect" or "key:Effect" taints; Effect is NoSchedule, PreferNoSchedule or NoExecute.</summary>
    public static List<Taint> ParseTaints(IEnumerable<string> items)
    {
        var taints = new List<Taint>();
        foreach (var item in items)
        {
            var colon = item.LastIndexOf(':');
            if (colon <= 0) throw new FormatException($"--node-taint: \"{item}\" is not key=value:Effect");
            var effect = item[(colon + 1)..];
            if (effect is not ("NoSchedule" or "PreferNoSchedule" or "NoExecute"))
                throw new FormatException($"--node-taint: \"{item}\": the effect must be NoSchedule, PreferNoSchedule or NoExecute");
            var kv = item[..colon];
            var eq = kv.IndexOf('=');
            taints.Add(new Taint { Key = eq < 0 ? kv : kv[..eq], Value = eq < 0 ? null : kv[(eq + 1)..], Effect = effect });
        }
        return taints;
    }
}

/// <summary>The kubelet flags --kubelet-arg set; null: the kubelet's default. Immutable.</summary>
public sealed record KubeletArgs
{
    public IReadOnlyList<Kubelet.Eviction.EvictionThreshold>? EvictionHard { get; init; }
    public IReadOnlyList<Kubelet.Eviction.EvictionThreshold>? EvictionSoft { get; init; }
    public long? EvictionMaxPodGracePeriodSeconds { get; init; }
    public TimeSpan? EvictionPressureTransitionPeriod { get; init; }
    public long? ContainerLogMaxSize { get; init; }
    public int? ContainerLogMaxFiles { get; init; }
    public int? MaxPods { get; init; }
    public int? ImageGcHighThresholdPercent { get; init; }
    public int? ImageGcLowThresholdPercent { get; init; }
    public TimeSpan? MinimumImageTtl { get; init; }

    /// <summary>The image garbage collection policy: upstream's defaults where a flag was not given.</summary>
    public Kubelet.ImageGc.ImageGcPolicy ImageGc() => new()
    {
        HighThresholdPercent = ImageGcHighThresholdPercent ?? Kubelet.ImageGc.ImageGcPolicy.Default.HighThresholdPercent,
        LowThresholdPercent = ImageGcLowThresholdPercent ?? Kubelet.ImageGc.ImageGcPolicy.Default.LowThresholdPercent,
        MinAge = MinimumImageTtl ?? Kubelet.ImageGc.ImageGcPolicy.Default.MinAge,
    };
}
