using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Skiff.Agent.Cri;
using Skiff.Agent.Cri.Grpc;
using Skiff.Agent.Cri.V1;
using Skiff.Agent.Kubelet;
using Skiff.Agent.Tests.Cri;
using Skiff.Agent.Tests.Support;

namespace Skiff.Agent.Tests.Kubelet;

/// <summary>
/// A CRI runtime and image service in memory, behind a real gRPC server on a unix socket, so the kubelet's own
/// clients talk to it: sandboxes and containers with labels, states and timestamps; containers "run" until the
/// test makes them exit. Scripted failures (sandbox creation, container start, pulls) show how errors surface.
/// Thread-safe (one lock).
/// </summary>
public sealed class FakeCri : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly List<Sandbox> _sandboxes = [];
    private readonly List<Ctr> _containers = [];
    private int _ids;
    private FakeGrpcServer _server = null!;
    private UnixGrpcClient _client = null!;

    /// <summary>Images the runtime has (by name); pulls of others fail unless <see cref="PullSucceeds"/>.</summary>
    public HashSet<string> Images { get; } = [];
    public bool PullSucceeds { get; set; }
    /// <summary>Image sizes by name (ListImages, ImageStatus); 4,269,694 bytes for any other.</summary>
    public Dictionary<string, ulong> ImageSizes { get; } = [];
    /// <summary>Images the runtime itself reports as pinned.</summary>
    public HashSet<string> PinnedImages { get; } = [];
    /// <summary>Images whose RemoveImage fails.</summary>
    public HashSet<string> UnremovableImages { get; } = [];
    /// <summary>Every RemoveImage call's image, in order.</summary>
    public List<string> RemovedImages { get; } = [];
    /// <summary>How many ListImages calls were answered.</summary>
    public int ImageListings { get; private set; }
    /// <summary>When set, RunPodSandbox fails with this detail.</summary>
    public string? RunSandboxError { get; set; }
    /// <summary>When set, StartContainer fails with this detail.</summary>
    public string? StartError { get; set; }
    /// <summary>When set, ExecSync fails with this status and detail; else it succeeds with exit code 0.</summary>
    public (GrpcStatusCode Code, string Detail)? ExecSyncError { get; set; }

    /// <summary>When set, each RunPodSandbox awaits it before the runtime acts (to hold sandbox starts in flight).</summary>
    public Func<Task>? BeforeRunSandbox { get; set; }

    /// <summary>The cgroup_parent of each RunPodSandbox and CreateContainer request's sandbox config, in order.</summary>
    public List<(string Call, string CgroupParent)> CgroupParents { get; } = [];

    public ContainerRuntimeManager Runtime { get; private set; } = null!;
    public RuntimeServiceClient Client => new(_client);
    public ImageServiceClient ImageService { get; private set; } = null!;

    public static async Task<FakeCri> StartAsync()
    {
        var cri = new FakeCri();
        cri._server = await FakeGrpcServer.StartAsync((app, _) => cri.Map(app));
        cri._client = new UnixGrpcClient(cri._server.SocketPath);
        cri.Runtime = new ContainerRuntimeManager(cri.Client, new TestLogger<ContainerRuntimeManager>());
        cri.ImageService = new ImageServiceClient(cri._client);
        return cri;
    }

    /// <summary>Adds a container of <paramref name="image"/> in <paramref name="state"/>, in a sandbox of its own; its ID.</summary>
    public string AddContainer(string name, string image, ContainerState state)
    {
        lock (_lock)
        {
            var sandbox = new Sandbox { Id = NextId("s"), Config = new PodSandboxConfig { Metadata = new PodSandboxMetadata { Name = name, Uid = name } }, CreatedAt = Now() };
            _sandboxes.Add(sandbox);
            var c = new Ctr
            {
                Id = NextId("c"), SandboxId = sandbox.Id, State = state, CreatedAt = Now(),
                Config = new ContainerConfig { Metadata = new ContainerMetadata { Name = name }, Image = new ImageSpec { Image = image } },
            };
            _containers.Add(c);
            return c.Id;
        }
    }

    /// <summary>Every running container named <paramref name="name"/> exits with <paramref name="code"/> now.</summary>
    public void Exit(string name, int code)
    {
        lock (_lock)
            foreach (var c in _containers.Where(c => c.Config.Metadata.Name == name && c.State == ContainerState.ContainerRunning))
                Finish(c, code);
    }

    /// <summary>The newest sandbox dies (its containers with it), as when the node reboots.</summary>
    public void KillSandbox()
    {
        lock (_lock)
        {
            var s = _sandboxes.Last();
            s.State = PodSandboxState.SandboxNotready;
            foreach (var c in _containers.Where(c => c.SandboxId == s.Id && c.State == ContainerState.ContainerRunning)) Finish(c, 137);
        }
    }

    public int Running(string name)
    {
        lock (_lock) return _containers.Count(c => c.Config.Metadata.Name == name && c.State == ContainerState.ContainerRunning);
    }

    private static void Finish(Ctr c, int code)
    {
        c.State = ContainerState.ContainerExited;
        c.ExitCode = code;
        c.FinishedAt = Now();
        c.Reason = code == 0 ? "Completed" : "Error";
    }

    private void Map(WebApplication app)
    {
        Unary(app, "RuntimeService/RunPodSandbox", RunPodSandboxRequest.Parser, r =>
        {
            if (RunSandboxError is { } error) throw new Failure(GrpcStatusCode.Unknown, error);
            CgroupParents.Add(("RunPodSandbox", r.Config.Linux?.CgroupParent ?? ""));
            var s = new Sandbox { Id = NextId("sb"), Config = r.Config, CreatedAt = Now(), Ip = $"10.1.0.{_sandboxes.Count + 2}" };
            _sandboxes.Add(s);
            return new RunPodSandboxResponse { PodSandboxId = s.Id };
        });
        Unary(app, "RuntimeService/StopPodSandbox", StopPodSandboxRequest.Parser, r =>
        {
            foreach (var s in _sandboxes.Where(s => s.Id == r.PodSandboxId)) s.State = PodSandboxState.SandboxNotready;
            return new StopPodSandboxResponse();
        });
        Unary(app, "RuntimeService/RemovePodSandbox", RemovePodSandboxRequest.Parser, r =>
        {
            _sandboxes.RemoveAll(s => s.Id == r.PodSandboxId);
            _containers.RemoveAll(c => c.SandboxId == r.PodSandboxId);
            return new RemovePodSandboxResponse();
        });
        Unary(app, "RuntimeService/ListPodSandbox", ListPodSandboxRequest.Parser, r =>
        {
            var response = new ListPodSandboxResponse();
            foreach (var s in _sandboxes.Where(s => Matches(s.Config.Labels, r.Filter?.LabelSelector)))
                response.Items.Add(new PodSandbox { Id = s.Id, Metadata = s.Config.Metadata, State = s.State, CreatedAt = s.CreatedAt, Labels = { s.Config.Labels } });
            return response;
        });
        Unary(app, "RuntimeService/PodSandboxStatus", PodSandboxStatusRequest.Parser, r =>
        {
            var s = _sandboxes.FirstOrDefault(s => s.Id == r.PodSandboxId) ?? throw new Failure(GrpcStatusCode.NotFound, "no such sandbox");
            return new PodSandboxStatusResponse
            {
                Status = new PodSandboxStatus
                {
                    Id = s.Id, Metadata = s.Config.Metadata, State = s.State, CreatedAt = s.CreatedAt,
                    Network = new PodSandboxNetworkStatus { Ip = s.Ip }, Labels = { s.Config.Labels },
                },
            };
        });
        Unary(app, "RuntimeService/ExecSync", ExecSyncRequest.Parser, r =>
        {
            if (ExecSyncError is { } e) throw new Failure(e.Code, e.Detail);
            return new ExecSyncResponse { ExitCode = 0 };
        });
        Unary(app, "RuntimeService/CreateContainer", CreateContainerRequest.Parser, r =>
        {
            CgroupParents.Add(("CreateContainer", r.SandboxConfig?.Linux?.CgroupParent ?? ""));
            var c = new Ctr { Id = NextId("c"), SandboxId = r.PodSandboxId, Config = r.Config, CreatedAt = Now() };
            _containers.Add(c);
            return new CreateContainerResponse { ContainerId = c.Id };
        });
        Unary(app, "RuntimeService/StartContainer", StartContainerRequest.Parser, r =>
        {
            var c = Find(r.ContainerId);
            if (StartError is { } error)
            {
                Finish(c, 128);
                c.Reason = "StartError";
                throw new Failure(GrpcStatusCode.Unknown, error);
            }
            c.State = ContainerState.ContainerRunning;
            c.StartedAt = Now();
            return new StartContainerResponse();
        });
        Unary(app, "RuntimeService/StopContainer", StopContainerRequest.Parser, r =>
        {
            var c = Find(r.ContainerId);
            if (c.State != ContainerState.ContainerExited) Finish(c, 137);
            return new StopContainerResponse();
        });
        Unary(app, "RuntimeService/RemoveContainer", RemoveContainerRequest.Parser, r =>
        {
            _containers.RemoveAll(c => c.Id == r.ContainerId);
            return new RemoveContainerResponse();
        });
        Unary(app, "RuntimeService/ListContainers", ListContainersRequest.Parser, r =>
        {
            var response = new ListContainersResponse();
            foreach (var c in _containers.Where(c => Matches(c.Config.Labels, r.Filter?.LabelSelector)))
                response.Containers.Add(new Container
                {
                    Id = c.Id, PodSandboxId = c.SandboxId, Metadata = c.Config.Metadata, Image = c.Config.Image, State = c.State,
                    CreatedAt = c.CreatedAt, Labels = { c.Config.Labels }, Annotations = { c.Config.Annotations },
                });
            return response;
        });
        Unary(app, "RuntimeService/ContainerStatus", ContainerStatusRequest.Parser, r =>
        {
            var c = Find(r.ContainerId);
            return new ContainerStatusResponse
            {
                Status = new ContainerStatus
                {
                    Id = c.Id, Metadata = c.Config.Metadata, State = c.State, CreatedAt = c.CreatedAt, StartedAt = c.StartedAt,
                    FinishedAt = c.FinishedAt, ExitCode = c.ExitCode, Image = c.Config.Image, ImageRef = c.Config.Image?.Image ?? "",
                    Reason = c.Reason, Labels = { c.Config.Labels }, Annotations = { c.Config.Annotations },
                },
            };
        });
        Unary(app, "ImageService/ImageStatus", ImageStatusRequest.Parser, r =>
        {
            var name = r.Image.Image.StartsWith("sha256:", StringComparison.Ordinal) ? r.Image.Image[7..] : r.Image.Image;
            return Images.Contains(name) ? new ImageStatusResponse { Image = new Image { Id = "sha256:" + name, Size = 4_269_694 } } : new ImageStatusResponse();
        });
        Unary(app, "ImageService/ListImages", ListImagesRequest.Parser, r =>
        {
            ImageListings++;
            var response = new ListImagesResponse();
            foreach (var name in Images.Order(StringComparer.Ordinal))
                response.Images.Add(new Image { Id = "sha256:" + name, RepoTags = { name }, Size = ImageSizes.GetValueOrDefault(name, 4_269_694UL), Pinned = PinnedImages.Contains(name) });
            return response;
        });
        Unary(app, "ImageService/RemoveImage", RemoveImageRequest.Parser, r =>
        {
            var name = r.Image.Image.StartsWith("sha256:", StringComparison.Ordinal) ? r.Image.Image[7..] : r.Image.Image;
            RemovedImages.Add(name);
            if (UnremovableImages.Contains(name)) throw new Failure(GrpcStatusCode.Unknown, $"image {name} is held by the runtime");
            Images.Remove(name);
            return new RemoveImageResponse();
        });
        Unary(app, "ImageService/PullImage", PullImageRequest.Parser, r =>
        {
            if (!PullSucceeds) throw new Failure(GrpcStatusCode.Unknown, "failed to resolve reference: no network");
            Images.Add(r.Image.Image);
            return new PullImageResponse { ImageRef = "sha256:" + r.Image.Image };
        });
    }

    private void Unary<TRequest, TResponse>(WebApplication app, string method, MessageParser<TRequest> parser, Func<TRequest, TResponse> handle)
        where TRequest : IMessage<TRequest> where TResponse : IMessage
    {
        app.MapPost("/runtime.v1." + method, async (HttpContext ctx) =>
        {
            var request = parser.ParseFrom(await FakeGrpcServer.ReadRequestAsync(ctx));
            if (request is RunPodSandboxRequest && BeforeRunSandbox is { } before) await before();
            TResponse response;
            try
            {
                lock (_lock) response = handle(request);
            }
            catch (Failure f)
            {
                ctx.Response.ContentType = "application/grpc";
                ctx.Response.Headers["grpc-status"] = ((int)f.Code).ToString();
                ctx.Response.Headers["grpc-message"] = Uri.EscapeDataString(f.Message);
                return;
            }
            FakeGrpcServer.BeginGrpc(ctx);
            await FakeGrpcServer.WriteFrameAsync(ctx, response);
            ctx.Response.AppendTrailer("grpc-status", "0");
        });
    }

    private Ctr Find(string id) => _containers.FirstOrDefault(c => c.Id == id) ?? throw new Failure(GrpcStatusCode.NotFound, $"container {id} not found");

    private static bool Matches(Google.Protobuf.Collections.MapField<string, string> labels, Google.Protobuf.Collections.MapField<string, string>? selector) =>
        selector is null || selector.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private string NextId(string prefix) => $"{prefix}{++_ids:D4}{new string('0', 12)}";

    private static long Now() => (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100;

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private sealed class Failure(GrpcStatusCode code, string message) : Exception(message)
    {
        public GrpcStatusCode Code { get; } = code;
    }

    private sealed class Sandbox
    {
        public required string Id { get; init; }
        public required PodSandboxConfig Config { get; init; }
        public PodSandboxState State { get; set; } = PodSandboxState.SandboxReady;
        public long CreatedAt { get; init; }
        public string Ip { get; init; } = "";
    }

    private sealed class Ctr
    {
        public required string Id { get; init; }
        public required string SandboxId { get; init; }
        public required ContainerConfig Config { get; init; }
        public ContainerState State { get; set; } = ContainerState.ContainerCreated;
        public long CreatedAt { get; init; }
        public long StartedAt { get; set; }
        public long FinishedAt { get; set; }
        public int ExitCode { get; set; }
        public string Reason { get; set; } = "";
    }
}
