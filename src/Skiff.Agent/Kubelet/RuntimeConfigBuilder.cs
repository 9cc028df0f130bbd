using Skiff.Agent.Cri.V1;
using Skiff.Api.Models.Core.V1;
using CriMount = Skiff.Agent.Cri.V1.Mount;
using VolumeMount = Skiff.Agent.Volumes.VolumeMount;

using Container = Skiff.Api.Models.Core.V1.Container;

namespace Skiff.Agent.Kubelet;

/// <summary>
/// Turns a pod spec into CRI sandbox and container configs as upstream's kuberuntime does: namespaces,
/// hostname, host ports, labels the kubelet reads back, log paths under the pod's log directory,
/// resources as cgroup values, security context (pod level under container level), the default
/// masked and read-only /proc paths. Stateless; thread-safe.
/// </summary>
public static class RuntimeConfigBuilder
{
    private static readonly string[] DefaultMaskedPaths =
        ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
         "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap"];
    private static readonly string[] DefaultReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

    public static PodSandboxConfig Sandbox(Pod pod, uint attempt, string logDirectory, string? cgroupParent = null)
    {
        var spec = pod.Spec!;
        var config = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = pod.Metadata!.Name, Namespace = pod.Metadata.Namespace, Uid = pod.Metadata.Uid, Attempt = attempt },
            Hostname = spec.HostNetwork == true ? "" : Hostname(pod),
            LogDirectory = logDirectory,
            Linux = new LinuxPodSandboxConfig { SecurityContext = new LinuxSandboxSecurityContext { NamespaceOptions = Namespaces(spec) } },
        };
        if (cgroupParent is not null) config.Linux.CgroupParent = cgroupParent;
        foreach (var (k, v) in pod.Metadata.Labels ?? []) config.Labels[k] = v;
        foreach (var (k, v) in PodNaming.PodLabels(pod)) config.Labels[k] = v;
        foreach (var (k, v) in pod.Metadata.Annotations ?? []) config.Annotations[k] = v;
        if (spec.DnsPolicy == "None" && spec.DnsConfig is { } dns)
        {
            config.DnsConfig = new DNSConfig();
            config.DnsConfig.Servers.AddRange(dns.Nameservers ?? []);
            config.DnsConfig.Searches.AddRange(dns.Searches ?? []);
            config.DnsConfig.Options.AddRange((dns.Options ?? []).Select(o => o.Value is null ? o.Name : $"{o.Name}:{o.Value}"));
        }
        foreach (var c in spec.Containers ?? [])
            foreach (var p in c.Ports ?? [])
                if (p.HostPort is > 0)
                    config.PortMappings.Add(new PortMapping
                    {
                        ContainerPort = p.ContainerPortValue ?? 0,
                        HostPort = p.HostPort.Value,
                        HostIp = p.HostIP ?? "",
                        Protocol = p.Protocol switch { "UDP" => Protocol.Udp, "SCTP" => Protocol.Sctp, _ => Protocol.Tcp },
                    });
        var psc = spec.SecurityContext;
        var sc = config.Linux.SecurityContext;
        if (psc?.RunAsUser is { } uid) sc.RunAsUser = new Int64Value { Value = uid };
        if (psc?.RunAsGroup is { } gid) sc.RunAsGroup = new Int64Value { Value = gid };
        if (psc?.SupplementalGroups is { } groups) sc.SupplementalGroups.AddRange(groups);
        if (psc?.FsGroup is { } fsGroup) sc.SupplementalGroups.Add(fsGroup);
        foreach (var s in psc?.Sysctls ?? []) config.Linux.Sysctls[s.Name ?? ""] = s.Value ?? "";
        return config;
    }

    /// <summary>spec.hostname (else the pod name), at most 63 characters, as upstream.</summary>
    public static string Hostname(Pod pod)
    {
        var name = string.IsNullOrEmpty(pod.Spec?.Hostname) ? pod.Metadata?.Name ?? "" : pod.Spec.Hostname;
        return name.Length > 63 ? name[..63].TrimEnd('-', '.') : name;
    }

    public static NamespaceOption Namespaces(PodSpec spec) => new()
    {
        Network = spec.HostNetwork == true ? NamespaceMode.Node : NamespaceMode.Pod,
        Pid = spec.HostPID == true ? NamespaceMode.Node : spec.ShareProcessNamespace == true ? NamespaceMode.Pod : NamespaceMode.Container,
        Ipc = spec.HostIPC == true ? NamespaceMode.Node : NamespaceMode.Pod,
    };

    public static ContainerConfig Container(Pod pod, Container c, bool isInit, int attempt, string imageRef,
        IReadOnlyList<KeyValuePair<string, string>> env, IReadOnlyList<VolumeMount> mounts, string? hostTerminationLog)
    {
        var vars = env.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var config = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = c.Name, Attempt = (uint)attempt },
            Image = new ImageSpec { Image = imageRef, UserSpecifiedImage = c.Image ?? "" },
            WorkingDir = c.WorkingDir ?? "",
            LogPath = PodNaming.RelativeLogPath(c.Name!, attempt),
            Stdin = c.Stdin == true,
            StdinOnce = c.StdinOnce == true,
            Tty = c.Tty == true,
            Linux = new LinuxContainerConfig { Resources = Resources(c), SecurityContext = Security(pod, c) },
        };
        config.Command.AddRange((c.Command ?? []).Select(s => EnvBuilder.Expand(s, vars)));
        config.Args.AddRange((c.Args ?? []).Select(s => EnvBuilder.Expand(s, vars)));
        config.Envs.AddRange(env.Select(kv => new KeyValue { Key = kv.Key, Value = kv.Value }));
        foreach (var m in mounts.Where(m => m.ContainerName == c.Name))
        {
            var host = string.IsNullOrEmpty(m.SubPath) ? m.HostPath : Path.Combine(m.HostPath, m.SubPath);
            if (!string.IsNullOrEmpty(m.SubPath) && !File.Exists(host)) Directory.CreateDirectory(host);
            config.Mounts.Add(new CriMount { HostPath = host, ContainerPath = m.ContainerPath, Readonly = m.ReadOnly });
        }
        if (hostTerminationLog is not null)
            config.Mounts.Add(new CriMount { HostPath = hostTerminationLog, ContainerPath = c.TerminationMessagePath ?? "/dev/termination-log" });
        foreach (var (k, v) in PodNaming.PodLabels(pod)) config.Labels[k] = v;
        config.Labels[PodNaming.ContainerNameLabel] = c.Name!;
        config.Annotations[PodNaming.RestartCountAnnotation] = attempt.ToString(System.Globalization.CultureInfo.InvariantCulture);
        config.Annotations[PodNaming.TerminationMessagePathAnnotation] = c.TerminationMessagePath ?? "/dev/termination-log";
        config.Annotations[PodNaming.TerminationMessagePolicyAnnotation] = c.TerminationMessagePolicy ?? "File";
        config.Annotations[PodNaming.GracePeriodAnnotation] = (pod.Spec?.TerminationGracePeriodSeconds ?? 30).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (hostTerminationLog is not null) config.Annotations[PodNaming.HostTerminationLogAnnotation] = hostTerminationLog;
        if (isInit) config.Annotations[PodNaming.InitContainerAnnotation] = "true";
        return config;
    }

    /// <summary>Requests and limits as cgroup v1 values, as upstream's kuberuntime computes them.</summary>
    public static LinuxContainerResources Resources(Container c)
    {
        var r = new LinuxContainerResources();
        var cpuRequest = Quantities.Get(c.Resources?.Requests, "cpu") ?? Quantities.Get(c.Resources?.Limits, "cpu");
        var cpuLimit = Quantities.Get(c.Resources?.Limits, "cpu");
        var memoryLimit = Quantities.Get(c.Resources?.Limits, "memory");
        // 1024 shares per CPU, at least 2 (the kernel's minimum), as upstream's MilliCPUToShares.
        r.CpuShares = cpuRequest is { } req ? Math.Max(2, (long)(req * 1024m)) : 2;
        if (cpuLimit is { } lim)
        {
            r.CpuPeriod = 100_000;
            r.CpuQuota = Math.Max(1000, (long)(lim * 100_000m));
        }
        if (memoryLimit is { } mem) r.MemoryLimitInBytes = (long)mem;
        return r;
    }

    private static LinuxContainerSecurityContext Security(Pod pod, Container c)
    {
        var psc = pod.Spec?.SecurityContext;
        var sc = c.SecurityContext;
        var result = new LinuxContainerSecurityContext
        {
            Privileged = sc?.Privileged == true,
            ReadonlyRootfs = sc?.ReadOnlyRootFilesystem == true,
            NamespaceOptions = Namespaces(pod.Spec!),
            NoNewPrivs = sc?.AllowPrivilegeEscalation == false,
        };
        if ((sc?.RunAsUser ?? psc?.RunAsUser) is { } uid) result.RunAsUser = new Int64Value { Value = uid };
        if ((sc?.RunAsGroup ?? psc?.RunAsGroup) is { } gid) result.RunAsGroup = new Int64Value { Value = gid };
        if (psc?.SupplementalGroups is { } groups) result.SupplementalGroups.AddRange(groups);
        if (psc?.FsGroup is { } fsGroup) result.SupplementalGroups.Add(fsGroup);
        if (sc?.Capabilities is { } caps)
        {
            result.Capabilities = new Capability();
            result.Capabilities.AddCapabilities.AddRange((caps.Add ?? []).Select(Cap));
            result.Capabilities.DropCapabilities.AddRange((caps.Drop ?? []).Select(Cap));
        }
        if (!result.Privileged && sc?.ProcMount != "Unmasked")
        {
            result.MaskedPaths.AddRange(DefaultMaskedPaths);
            result.ReadonlyPaths.AddRange(DefaultReadonlyPaths);
        }
        return result;
    }

    /// <summary>containerd wants CAP_-prefixed names; the API allows both ("NET_ADMIN", "ALL").</summary>
    private static string Cap(string name) =>
        name.Equals("ALL", StringComparison.OrdinalIgnoreCase) || name.StartsWith("CAP_", StringComparison.OrdinalIgnoreCase)
            ? name.ToUpperInvariant() : "CAP_" + name.ToUpperInvariant();

    /// <summary>Upstream's QoS class: Guaranteed when every container's limits equal its requests for cpu and memory.</summary>
    public static string QosClass(PodSpec spec)
    {
        var all = (spec.InitContainers ?? []).Concat(spec.Containers ?? []).ToList();
        var any = all.Any(c => (c.Resources?.Requests?.Count ?? 0) > 0 || (c.Resources?.Limits?.Count ?? 0) > 0);
        if (!any) return "BestEffort";
        foreach (var c in all)
            foreach (var res in new[] { "cpu", "memory" })
            {
                var lim = Quantities.Get(c.Resources?.Limits, res);
                var req = Quantities.Get(c.Resources?.Requests, res) ?? lim;
                if (lim is null || req != lim) return "Burstable";
            }
        return "Guaranteed";
    }
}
