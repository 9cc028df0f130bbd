using Skiff.Agent.Cri.Grpc;
using Skiff.Api.Models.Core.V1;
using Skiff.Client.Events;

namespace Skiff.Agent.Kubelet;

/// <summary>
/// Where the kubelet's classes report Events about pods, containers and the node (what <c>kubectl describe</c>
/// shows). Implementations never block and never throw: an event may be lost, a pod sync never waits for one.
/// </summary>
public interface IKubeletEvents
{
    void Record(ObjectReference involved, string type, string reason, string message);
}

/// <summary>Upstream's kubelet event reasons (pkg/kubelet/events), the ones Skiff's kubelet reports.</summary>
public static class EventReasons
{
    public const string Created = "Created";
    public const string Started = "Started";
    public const string Failed = "Failed";
    public const string Killing = "Killing";
    public const string BackOff = "BackOff";
    public const string Pulling = "Pulling";
    public const string Pulled = "Pulled";
    public const string ErrImageNeverPull = "ErrImageNeverPull";
    public const string Unhealthy = "Unhealthy";
    public const string FailedMount = "FailedMount";
    public const string FailedCreatePodSandBox = "FailedCreatePodSandBox";
    public const string FailedCreatePodContainer = "FailedCreatePodContainer";
    public const string SandboxChanged = "SandboxChanged";
    public const string FailedPostStartHook = "FailedPostStartHook";
    public const string FailedPreStopHook = "FailedPreStopHook";
    public const string Starting = "Starting";
    public const string DeadlineExceeded = "DeadlineExceeded";
    public const string Evicted = "Evicted";
    public const string FreeDiskSpaceFailed = "FreeDiskSpaceFailed";
    public const string ImageGCFailed = "ImageGCFailed";
    public const string InvalidDiskCapacity = "InvalidDiskCapacity";
}

public static class EventTypes
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";
}

/// <summary>References and helpers for <see cref="IKubeletEvents"/>. Stateless; thread-safe.</summary>
public static class KubeletEvents
{
    /// <summary>Records nothing: for tests and callers that do not care.</summary>
    public static IKubeletEvents None { get; } = new NoEvents();

    public static ObjectReference PodRef(Pod pod) => new()
    {
        Kind = "Pod",
        ApiVersion = "v1",
        Namespace = pod.Metadata?.Namespace,
        Name = pod.Metadata?.Name,
        Uid = pod.Metadata?.Uid,
        ResourceVersion = pod.Metadata?.ResourceVersion,
    };

    /// <summary>The pod with the fieldPath of one of its containers, as upstream's GenerateContainerRef.</summary>
    public static ObjectReference ContainerRef(Pod pod, string container)
    {
        var r = PodRef(pod);
        r.FieldPath = FieldPath(pod.Spec, container);
        return r;
    }

    /// <summary>The Node as upstream's kubelet refers to it: its name doubles as the uid (kubectl describe node looks for both).</summary>
    public static ObjectReference NodeRef(string node) => new() { Kind = "Node", Name = node, Uid = node };

    /// <summary>
    /// Where the container is in the spec; one that is not (a container left from an older spec) is, as upstream's
    /// GenerateContainerRef words it, an "implicitly required container".
    /// </summary>
    public static string FieldPath(PodSpec? spec, string container) =>
        SpecFieldPath(spec, container) ?? $"implicitly required container {container}";

    /// <summary>The container's place in the spec, or null when the spec has no container of that name.</summary>
    public static string? SpecFieldPath(PodSpec? spec, string container) =>
        spec?.Containers?.Any(c => c.Name == container) == true ? $"spec.containers{{{container}}}"
        : spec?.InitContainers?.Any(c => c.Name == container) == true ? $"spec.initContainers{{{container}}}"
        : spec?.EphemeralContainers?.Any(c => c.Name == container) == true ? $"spec.ephemeralContainers{{{container}}}"
        : null;

    public static void Pod(this IKubeletEvents events, Pod pod, string type, string reason, string message) =>
        events.Record(PodRef(pod), type, reason, message);

    public static void Container(this IKubeletEvents events, Pod pod, string container, string type, string reason, string message) =>
        events.Record(ContainerRef(pod, container), type, reason, message);

    /// <summary>A CRI error as Go's gRPC status prints it ("rpc error: code = Unknown desc = ..."), which upstream's messages carry.</summary>
    public static string GoError(RpcException e) =>
        $"rpc error: code = {(e.Status == GrpcStatusCode.Cancelled ? "Canceled" : e.Status.ToString())} desc = {e.Detail}";

    /// <summary>upstream's format.Pod: name_namespace(uid).</summary>
    public static string PodDescription(Pod pod) => $"{pod.Metadata?.Name}_{pod.Metadata?.Namespace}({pod.Metadata?.Uid})";

    private sealed class NoEvents : IKubeletEvents
    {
        public void Record(ObjectReference involved, string type, string reason, string message) { }
    }
}

/// <summary>The kubelet's events as core/v1 Events through Skiff.Client's <see cref="CoreEventRecorder"/>. Thread-safe.</summary>
public sealed class RecordedKubeletEvents(CoreEventRecorder recorder) : IKubeletEvents
{
    public void Record(ObjectReference involved, string type, string reason, string message) =>
        recorder.Record(involved, type, reason, message);
}
