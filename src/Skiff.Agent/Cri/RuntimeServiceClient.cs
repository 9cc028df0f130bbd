using Skiff.Agent.Cri.Grpc;
using Skiff.Agent.Cri.V1;

namespace Skiff.Agent.Cri;

/// <summary>
/// The CRI runtime service (runtime.v1.RuntimeService) as typed async methods. Every call has a
/// deadline: <see cref="DefaultTimeout"/> unless the method says otherwise (stop and exec calls
/// add their own grace period to it, as the kubelet does).
/// </summary>
public sealed class RuntimeServiceClient(UnixGrpcClient grpc)
{
    private const string Service = "/runtime.v1.RuntimeService/";

    /// <summary>The kubelet's default for runtime requests.</summary>
    public TimeSpan DefaultTimeout { get; init; } = TimeSpan.FromMinutes(2);

    public Task<VersionResponse> VersionAsync(CancellationToken ct = default) =>
        Call("Version", new VersionRequest { Version = "v1" }, VersionResponse.Parser, ct);

    public Task<StatusResponse> StatusAsync(bool verbose = false, CancellationToken ct = default) =>
        Call("Status", new StatusRequest { Verbose = verbose }, StatusResponse.Parser, ct);

    public async Task<string> RunPodSandboxAsync(PodSandboxConfig config, string runtimeHandler = "", CancellationToken ct = default) =>
        (await Call("RunPodSandbox", new RunPodSandboxRequest { Config = config, RuntimeHandler = runtimeHandler },
            RunPodSandboxResponse.Parser, ct).ConfigureAwait(false)).PodSandboxId;

    public Task StopPodSandboxAsync(string podSandboxId, CancellationToken ct = default) =>
        Call("StopPodSandbox", new StopPodSandboxRequest { PodSandboxId = podSandboxId }, StopPodSandboxResponse.Parser, ct);

    public Task RemovePodSandboxAsync(string podSandboxId, CancellationToken ct = default) =>
        Call("RemovePodSandbox", new RemovePodSandboxRequest { PodSandboxId = podSandboxId }, RemovePodSandboxResponse.Parser, ct);

    public Task<PodSandboxStatusResponse> PodSandboxStatusAsync(string podSandboxId, bool verbose = false, CancellationToken ct = default) =>
        Call("PodSandboxStatus", new PodSandboxStatusRequest { PodSandboxId = podSandboxId, Verbose = verbose },
            PodSandboxStatusResponse.Parser, ct);

    public async Task<IReadOnlyList<PodSandbox>> ListPodSandboxAsync(PodSandboxFilter? filter = null, CancellationToken ct = default) =>
        (await Call("ListPodSandbox", new ListPodSandboxRequest { Filter = filter }, ListPodSandboxResponse.Parser, ct)
            .ConfigureAwait(false)).Items;

    public async Task<string> CreateContainerAsync(string podSandboxId, ContainerConfig config, PodSandboxConfig sandboxConfig,
        CancellationToken ct = default) =>
        (await Call("CreateContainer",
            new CreateContainerRequest { PodSandboxId = podSandboxId, Config = config, SandboxConfig = sandboxConfig },
            CreateContainerResponse.Parser, ct).ConfigureAwait(false)).ContainerId;

    public Task StartContainerAsync(string containerId, CancellationToken ct = default) =>
        Call("StartContainer", new StartContainerRequest { ContainerId = containerId }, StartContainerResponse.Parser, ct);

    /// <summary>Stops with a grace period in seconds (0 kills at once); the deadline allows for it.</summary>
    public Task StopContainerAsync(string containerId, long gracePeriodSeconds, CancellationToken ct = default) =>
        Call("StopContainer", new StopContainerRequest { ContainerId = containerId, Timeout = gracePeriodSeconds },
            StopContainerResponse.Parser, ct, DefaultTimeout + TimeSpan.FromSeconds(gracePeriodSeconds));

    public Task RemoveContainerAsync(string containerId, CancellationToken ct = default) =>
        Call("RemoveContainer", new RemoveContainerRequest { ContainerId = containerId }, RemoveContainerResponse.Parser, ct);

    public async Task<IReadOnlyList<Container>> ListContainersAsync(ContainerFilter? filter = null, CancellationToken ct = default) =>
        (await Call("ListContainers", new ListContainersRequest { Filter = filter }, ListContainersResponse.Parser, ct)
            .ConfigureAwait(false)).Containers;

    public async Task<IReadOnlyList<ContainerStats>> ListContainerStatsAsync(ContainerStatsFilter? filter = null, CancellationToken ct = default) =>
        (await Call("ListContainerStats", new ListContainerStatsRequest { Filter = filter }, ListContainerStatsResponse.Parser, ct)
            .ConfigureAwait(false)).Stats;

    public Task<ContainerStatusResponse> ContainerStatusAsync(string containerId, bool verbose = false, CancellationToken ct = default) =>
        Call("ContainerStatus", new ContainerStatusRequest { ContainerId = containerId, Verbose = verbose },
            ContainerStatusResponse.Parser, ct);

    public Task ReopenContainerLogAsync(string containerId, CancellationToken ct = default) =>
        Call("ReopenContainerLog", new ReopenContainerLogRequest { ContainerId = containerId }, ReopenContainerLogResponse.Parser, ct);

    /// <summary>Runs a command to completion; <paramref name="timeout"/> of zero means no limit in the runtime.</summary>
    public Task<ExecSyncResponse> ExecSyncAsync(string containerId, IEnumerable<string> command, TimeSpan timeout,
        CancellationToken ct = default)
    {
        var request = new ExecSyncRequest { ContainerId = containerId, Timeout = (long)Math.Ceiling(timeout.TotalSeconds) };
        request.Cmd.AddRange(command);
        // The runtime enforces the command's own timeout; the call's deadline only guards against a hung runtime.
        TimeSpan? deadline = timeout > TimeSpan.Zero ? DefaultTimeout + timeout : null;
        return Call("ExecSync", request, ExecSyncResponse.Parser, ct, deadline, useDefault: false);
    }

    /// <summary>The URL of the runtime's streaming server for an exec session.</summary>
    public async Task<string> ExecAsync(ExecRequest request, CancellationToken ct = default) =>
        (await Call("Exec", request, ExecResponse.Parser, ct).ConfigureAwait(false)).Url;

    public async Task<string> AttachAsync(AttachRequest request, CancellationToken ct = default) =>
        (await Call("Attach", request, AttachResponse.Parser, ct).ConfigureAwait(false)).Url;

    public async Task<string> PortForwardAsync(string podSandboxId, IEnumerable<int> ports, CancellationToken ct = default)
    {
        var request = new PortForwardRequest { PodSandboxId = podSandboxId };
        request.Port.AddRange(ports);
        return (await Call("PortForward", request, PortForwardResponse.Parser, ct).ConfigureAwait(false)).Url;
    }

    /// <summary>Container lifecycle events, until cancelled (no deadline). containerd 1.6 answers Unimplemented.</summary>
    public IAsyncEnumerable<ContainerEventResponse> GetContainerEventsAsync(CancellationToken ct = default) =>
        grpc.ServerStreamingAsync(Service + "GetContainerEvents", new GetEventsRequest(), ContainerEventResponse.Parser, null, ct);

    private Task<T> Call<T>(string method, Google.Protobuf.IMessage request, Google.Protobuf.MessageParser<T> parser,
        CancellationToken ct, TimeSpan? deadline = null, bool useDefault = true)
        where T : Google.Protobuf.IMessage<T> =>
        grpc.UnaryAsync(Service + method, request, parser, deadline ?? (useDefault ? DefaultTimeout : null), ct);
}
