using Skiff.Api.Models.Core.V1;

namespace Skiff.Agent.Kubelet;

/// <summary>
/// The names the kubelet gives a pod's things in the runtime and on disk, and the CRI labels and
/// annotations it reads back to re-adopt them after a restart (upstream's io.kubernetes.* keys, so
/// crictl shows them as usual). Stateless; thread-safe.
/// </summary>
public static class PodNaming
{
    public const string PodNameLabel = "io.kubernetes.pod.name";
    public const string PodNamespaceLabel = "io.kubernetes.pod.namespace";
    public const string PodUidLabel = "io.kubernetes.pod.uid";
    public const string ContainerNameLabel = "io.kubernetes.container.name";
    /// <summary>Marks what Skiff's kubelet created, so it never touches other clients' sandboxes on a shared runtime.</summary>
    public const string ManagedLabel = "io.skiff.managed";
    public const string RestartCountAnnotation = "io.kubernetes.container.restartCount";
    public const string TerminationMessagePathAnnotation = "io.kubernetes.container.terminationMessagePath";
    public const string TerminationMessagePolicyAnnotation = "io.kubernetes.container.terminationMessagePolicy";
    public const string HostTerminationLogAnnotation = "io.skiff.container.hostTerminationLog";
    public const string InitContainerAnnotation = "io.skiff.container.init";
    public const string GracePeriodAnnotation = "io.kubernetes.pod.terminationGracePeriod";

    public static string Uid(Pod pod) => pod.Metadata?.Uid ?? "";

    public static string FullName(Pod pod) => $"{pod.Metadata?.Namespace}/{pod.Metadata?.Name}";

    /// <summary>&lt;data-dir&gt;/agent/pods/&lt;ns&gt;_&lt;name&gt;_&lt;uid&gt;: the sandbox's CRI log directory.</summary>
    public static string LogDirectory(AgentPaths paths, Pod pod) =>
        Path.Combine(paths.AgentDir, "pods", $"{pod.Metadata?.Namespace}_{pod.Metadata?.Name}_{Uid(pod)}");

    /// <summary>A container's log path relative to the sandbox's log directory: &lt;container&gt;/&lt;restartCount&gt;.log.</summary>
    public static string RelativeLogPath(string containerName, int restartCount) => Path.Combine(containerName, $"{restartCount}.log");

    /// <summary>&lt;data-dir&gt;/agent/pods/&lt;uid&gt;: the pod's own state (volumes, termination logs).</summary>
    public static string PodDirectory(AgentPaths paths, string uid) => Path.Combine(paths.AgentDir, "pods", uid);

    public static Dictionary<string, string> PodLabels(Pod pod) => new()
    {
        [PodNameLabel] = pod.Metadata?.Name ?? "",
        [PodNamespaceLabel] = pod.Metadata?.Namespace ?? "",
        [PodUidLabel] = Uid(pod),
        [ManagedLabel] = "true",
    };
}
