using System.Diagnostics;
using System.IO.Compression;
using Skiff.Agent.Cni;
using Skiff.Agent.Containerd;
using Skiff.Agent.Cri;
using Skiff.Agent.Cri.Grpc;
using Skiff.Agent.Images;
using Skiff.Agent.Tests.Support;

namespace Skiff.Agent.Tests.Containerd;

/// <summary>
/// One real node runtime for a test class: Skiff's containerd on a temporary data dir, a CNI
/// network on a test-only bridge and private subnet, and the test images imported through the
/// air-gap importer. Disposal removes every pod, stops containerd, kills leftover shims,
/// unmounts everything under the data dir, deletes the bridge and the directory.
/// </summary>
public sealed class NodeFixture : IAsyncLifetime
{
    public const string PodSubnet = "10.88.77.0/24";

    private UnixGrpcClient? _grpc;

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "skiff-agent-" + Guid.NewGuid().ToString("N")[..8]);
    public string Bridge { get; } = "skt" + Guid.NewGuid().ToString("N")[..8];
    public AgentOptions Options { get; private set; } = null!;
    public ContainerdSupervisor Supervisor { get; private set; } = null!;
    public TestLogger<ContainerdSupervisor> SupervisorLog { get; } = new();
    public RuntimeServiceClient Runtime { get; private set; } = null!;
    public ImageServiceClient Images { get; private set; } = null!;
    public IReadOnlyList<ImportOutcome> Imported { get; private set; } = [];
    public TimeSpan ContainerdStartTime { get; private set; }

    public async Task InitializeAsync()
    {
        if (!new RootFactAttribute().Skip.IsNullOrEmpty()) return;
        Options = new AgentOptions { DataDir = Root, PodCidr = PodSubnet, CniBridge = Bridge };
        var paths = Options.Paths;

        // The network config is in place before containerd starts, as the agent will do.
        await CniConfig.For(Options).WriteAsync(paths.CniConfDir, CancellationToken.None);

        // Air-gap images: the pause image as plain tar, busybox gzipped, so both import paths run.
        var built = await Repo.TestImagesAsync();
        Directory.CreateDirectory(paths.ImagesDir);
        File.Copy(Path.Combine(built, "skiff-pause.tar"), Path.Combine(paths.ImagesDir, "skiff-pause.tar"));
        await using (var source = File.OpenRead(Path.Combine(built, "busybox.tar")))
        await using (var target = File.Create(Path.Combine(paths.ImagesDir, "busybox.tar.gz")))
        await using (var gzip = new GZipStream(target, CompressionLevel.Fastest))
            await source.CopyToAsync(gzip);
        foreach (var f in Directory.EnumerateFiles(paths.ImagesDir)) File.SetLastWriteTimeUtc(f, DateTime.UtcNow.AddMinutes(-1));

        Supervisor = new ContainerdSupervisor(Options, SupervisorLog,
            new SupervisorTimings { InitialRestartDelay = TimeSpan.FromMilliseconds(200), StartTimeout = TimeSpan.FromSeconds(60) });
        var clock = Stopwatch.StartNew();
        await Supervisor.StartAsync(CancellationToken.None);
        ContainerdStartTime = clock.Elapsed;

        _grpc = new UnixGrpcClient(paths.CriSocket);
        Runtime = new RuntimeServiceClient(_grpc) { DefaultTimeout = TimeSpan.FromSeconds(60) };
        Images = new ImageServiceClient(_grpc) { DefaultTimeout = TimeSpan.FromSeconds(60) };

        var importer = new AirgapImporter(paths.ImagesDir, new CtrImageLoader("ctr", paths.ContainerdSocket), new TestLogger<AirgapImporter>());
        Imported = await importer.ImportChangedAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (Options is null) return;
        try
        {
            // Initialization may have failed before containerd was configured (no test images, say): clean up what exists.
            if (Supervisor?.ProcessId is not null)
            {
                foreach (var sandbox in await Runtime.ListPodSandboxAsync())
                {
                    await Runtime.StopPodSandboxAsync(sandbox.Id);
                    await Runtime.RemovePodSandboxAsync(sandbox.Id);
                }
            }
        }
        catch (RpcException)
        {
            // Cleanup below removes what CRI could not.
        }
        finally
        {
            _grpc?.Dispose();
            if (Supervisor is not null) await Supervisor.StopAsync();
            Host.KillProcessesMentioning(Root);
            await Host.UnmountAllUnderAsync(Root);
            await Host.DeleteLinkAsync(Bridge);
            try { Directory.Delete(Root, recursive: true); }
            catch (IOException) { }
        }
    }
}

/// <summary>The test classes that share one real node runtime (one containerd, one test bridge).</summary>
[CollectionDefinition(Name)]
public sealed class NodeCollection : ICollectionFixture<NodeFixture>
{
    public const string Name = "real node runtime";
}

internal static class StringExtensions
{
    public static bool IsNullOrEmpty(this string? s) => string.IsNullOrEmpty(s);
}
