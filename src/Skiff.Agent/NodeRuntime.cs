using Microsoft.Extensions.Logging;
using Skiff.Agent.Cni;
using Skiff.Agent.Containerd;
using Skiff.Agent.Cri;
using Skiff.Agent.Cri.Grpc;
using Skiff.Agent.Images;

namespace Skiff.Agent;

/// <summary>
/// The node's container runtime, ready for pods: either Skiff's own supervised containerd (with
/// the CNI network config written before it starts and the air-gap images imported in the
/// background), or an existing CRI endpoint given by <c>--container-runtime-endpoint</c>, which
/// Skiff only talks to. Disposing stops what Skiff started and nothing else.
/// </summary>
public sealed class NodeRuntime : IAsyncDisposable
{
    private readonly UnixGrpcClient _grpc;
    private readonly CancellationTokenSource _stopping = new();
    private Task _importing = Task.CompletedTask;
    private AirgapImporter? _importer;
    private string? _sandboxImage;

    private NodeRuntime(UnixGrpcClient grpc, ContainerdSupervisor? supervisor)
    {
        _grpc = grpc;
        Supervisor = supervisor;
        Runtime = new RuntimeServiceClient(grpc);
        Images = new ImageServiceClient(grpc);
    }

    public RuntimeServiceClient Runtime { get; }
    public ImageServiceClient Images { get; }

    /// <summary>Null when the runtime is external.</summary>
    public ContainerdSupervisor? Supervisor { get; }

    /// <summary>Completes when <see cref="PinnedImages"/> is known: at once for an external runtime, else after the first air-gap scan.</summary>
    public Task ImagesScanned => _importer?.FirstScan ?? Task.CompletedTask;

    /// <summary>
    /// Images garbage collection must keep: the sandbox (pause) image and every air-gap image imported. Null, so that
    /// no image is removed, for an external runtime, whose sandbox image Skiff does not know, and until the first
    /// scan of the air-gap images dir is over: after a restart the images are in the runtime before the importer has
    /// named them again.
    /// </summary>
    public IReadOnlySet<string>? PinnedImages =>
        _sandboxImage is null || _importer is { FirstScanDone: false }
            ? null
            : new HashSet<string>(_importer?.ImportedImages ?? [], StringComparer.Ordinal) { _sandboxImage };

    public static async Task<NodeRuntime> StartAsync(AgentOptions options, ILoggerFactory loggers, CancellationToken ct)
    {
        var log = loggers.CreateLogger<NodeRuntime>();
        var paths = options.Paths;
        if (options.PodCidr is not null && options.ContainerRuntimeEndpoint is null && await CniConfig.ApplyAsync(options, log, ct).ConfigureAwait(false))
            log.LogInformation("Wrote the pod network config for {PodCidr} to {ConfDir}", options.PodCidr, paths.CniConfDir);

        if (options.ContainerRuntimeEndpoint is not null)
        {
            var external = new NodeRuntime(new UnixGrpcClient(paths.CriSocket), null);
            try
            {
                var version = await external.Runtime.VersionAsync(ct).ConfigureAwait(false);
                log.LogInformation("Using the container runtime at {Endpoint}: {Name} {Version}; air-gap images in {Dir} are not imported into it",
                    options.ContainerRuntimeEndpoint, version.RuntimeName, version.RuntimeVersion, paths.ImagesDir);
                if (options.Registries.Mirrors.Count > 0)
                    log.LogWarning("The registries file's mirrors ({Registries}) are not applied to the runtime at {Endpoint}: configure its registries there",
                        string.Join(", ", options.Registries.Mirrors.Keys), options.ContainerRuntimeEndpoint);
                return external;
            }
            catch
            {
                await external.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        var supervisor = new ContainerdSupervisor(options, loggers.CreateLogger<ContainerdSupervisor>());
        try
        {
            await supervisor.StartAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await supervisor.StopAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        var runtime = new NodeRuntime(new UnixGrpcClient(paths.ContainerdSocket), supervisor);
        var importer = new AirgapImporter(paths.ImagesDir, new CtrImageLoader(options.CtrPath, paths.ContainerdSocket),
            loggers.CreateLogger<AirgapImporter>());
        runtime._importer = importer;
        runtime._sandboxImage = options.PauseImage;
        runtime._importing = Task.Run(() => importer.RunAsync(runtime._stopping.Token), CancellationToken.None);
        return runtime;
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        await _importing.ConfigureAwait(false);
        _grpc.Dispose();
        if (Supervisor is not null) await Supervisor.StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
    }
}
