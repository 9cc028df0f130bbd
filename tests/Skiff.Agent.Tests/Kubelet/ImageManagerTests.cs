using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Skiff.Agent.Cri;
using Skiff.Agent.Cri.Grpc;
using Skiff.Agent.Cri.V1;
using Skiff.Agent.Kubelet;
using Skiff.Agent.Tests.Cri;
using Skiff.Agent.Tests.Support;
using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Meta.V1;
using Container = Skiff.Api.Models.Core.V1.Container;

namespace Skiff.Agent.Tests.Kubelet;

/// <summary>Pull policies and pull backoff against a fake CRI image service that has some images and fails every pull.</summary>
public sealed class ImageManagerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private sealed class FakeImages : IAsyncDisposable
    {
        public HashSet<string> Present { get; } = [];
        public int Pulls;
        public FakeGrpcServer Server { get; private set; } = null!;
        public UnixGrpcClient Client { get; private set; } = null!;

        public async Task StartAsync()
        {
            Server = await FakeGrpcServer.StartAsync((app, _) =>
            {
                app.MapPost("/runtime.v1.ImageService/ImageStatus", async ctx =>
                {
                    var request = ImageStatusRequest.Parser.ParseFrom(await FakeGrpcServer.ReadRequestAsync(ctx));
                    FakeGrpcServer.BeginGrpc(ctx);
                    var response = new ImageStatusResponse();
                    if (Present.Contains(request.Image.Image)) response.Image = new Image { Id = "sha256:" + request.Image.Image };
                    await FakeGrpcServer.WriteFrameAsync(ctx, response);
                    ctx.Response.AppendTrailer("grpc-status", "0");
                });
                app.MapPost("/runtime.v1.ImageService/PullImage", async ctx =>
                {
                    await FakeGrpcServer.ReadRequestAsync(ctx);
                    Interlocked.Increment(ref Pulls);
                    ctx.Response.ContentType = "application/grpc";
                    ctx.Response.Headers["grpc-status"] = "2";
                    ctx.Response.Headers["grpc-message"] = "failed to resolve reference: no network";
                });
            });
            Client = new UnixGrpcClient(Server.SocketPath);
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Server.DisposeAsync();
        }
    }

    private static Pod Pod() => new() { Metadata = new ObjectMeta { Name = "p", Namespace = "ns", Uid = "uid" } };

    [Fact]
    public async Task Never_and_IfNotPresent_use_the_local_image_and_Always_falls_back_to_it_when_the_pull_fails()
    {
        await using var fake = new FakeImages();
        await fake.StartAsync();
        fake.Present.Add("busybox");
        var time = new ManualTime(T0);
        var log = new TestLogger<ImageManager>();
        var images = new ImageManager(new ImageServiceClient(fake.Client), new Backoff(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), time), log);

        Assert.Equal("sha256:busybox", await images.EnsureImageAsync(Pod(), new Container { Name = "c", Image = "busybox", ImagePullPolicy = "Never" }, new PodSandboxConfig(), CancellationToken.None));
        Assert.Equal("sha256:busybox", await images.EnsureImageAsync(Pod(), new Container { Name = "c", Image = "busybox", ImagePullPolicy = "IfNotPresent" }, new PodSandboxConfig(), CancellationToken.None));
        Assert.Equal(0, fake.Pulls);
        Assert.Equal("sha256:busybox", await images.EnsureImageAsync(Pod(), new Container { Name = "c", Image = "busybox" }, new PodSandboxConfig(), CancellationToken.None));
        Assert.Equal(1, fake.Pulls);
        Assert.Contains(log.Lines, l => l.Contains("using the local copy"));

        var never = await Assert.ThrowsAsync<ImagePullException>(() =>
            images.EnsureImageAsync(Pod(), new Container { Name = "c", Image = "absent:1", ImagePullPolicy = "Never" }, new PodSandboxConfig(), CancellationToken.None));
        Assert.Equal("ErrImageNeverPull", never.Reason);
        Assert.Equal("Container image \"absent:1\" is not present with pull policy of Never", never.Message);
    }

    [Fact]
    public async Task A_failed_pull_is_ErrImagePull_then_ImagePullBackOff_until_the_backoff_ends()
    {
        await using var fake = new FakeImages();
        await fake.StartAsync();
        var time = new ManualTime(T0);
        var images = new ImageManager(new ImageServiceClient(fake.Client), new Backoff(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), time), new TestLogger<ImageManager>());
        var c = new Container { Name = "c", Image = "absent:1" };

        var first = await Assert.ThrowsAsync<ImagePullException>(() => images.EnsureImageAsync(Pod(), c, new PodSandboxConfig(), CancellationToken.None));
        Assert.Equal("ErrImagePull", first.Reason);
        Assert.Contains("no network", first.Message);

        time.Advance(TimeSpan.FromSeconds(5));
        var waiting = await Assert.ThrowsAsync<ImagePullException>(() => images.EnsureImageAsync(Pod(), c, new PodSandboxConfig(), CancellationToken.None));
        Assert.Equal("ImagePullBackOff", waiting.Reason);
        Assert.Equal("Back-off pulling image \"absent:1\"", waiting.Message);
        Assert.Equal(1, fake.Pulls);

        time.Advance(TimeSpan.FromSeconds(6));
        var again = await Assert.ThrowsAsync<ImagePullException>(() => images.EnsureImageAsync(Pod(), c, new PodSandboxConfig(), CancellationToken.None));
        Assert.Equal("ErrImagePull", again.Reason);
        Assert.Equal(2, fake.Pulls);

        time.Advance(TimeSpan.FromSeconds(15)); // the second failure doubled the delay to 20 s
        Assert.Equal("ImagePullBackOff", (await Assert.ThrowsAsync<ImagePullException>(() => images.EnsureImageAsync(Pod(), c, new PodSandboxConfig(), CancellationToken.None))).Reason);

        images.ForgetPod("uid");
        Assert.Equal("ErrImagePull", (await Assert.ThrowsAsync<ImagePullException>(() => images.EnsureImageAsync(Pod(), c, new PodSandboxConfig(), CancellationToken.None))).Reason);
    }
}
