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

/// <summary>
/// Pull policies, pull backoff and the events they record, against a fake CRI image service that has some images and
/// fails every pull (and FakeCri, whose pulls succeed, for the Pulled message of a pull).
/// </summary>
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

    private static Pod PodWith(Container c) => new()
    {
        Metadata = new ObjectMeta { Name = "p", Namespace = "ns", Uid = "uid" },
        Spec = new PodSpec { Containers = [c] },
    };

    private static List<(string Type, string Reason, string? FieldPath, string Message)> Shape(IReadOnlyList<RecordedEvent> events) =>
        events.Select(e => (e.Type, e.Reason, e.Involved.FieldPath, e.Message)).ToList();

    [Fact]
    public async Task Never_with_the_image_absent_is_a_Warning_ErrImageNeverPull_and_IfNotPresent_with_it_present_a_Normal_Pulled()
    {
        await using var fake = new FakeImages();
        await fake.StartAsync();
        fake.Present.Add("busybox");
        var events = new RecordingKubeletEvents();
        var images = new ImageManager(new ImageServiceClient(fake.Client), new Backoff(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), new ManualTime(T0)),
            new TestLogger<ImageManager>(), events);

        var never = new Container { Name = "c", Image = "absent:1", ImagePullPolicy = "Never" };
        await Assert.ThrowsAsync<ImagePullException>(() => images.EnsureImageAsync(PodWith(never), never, new PodSandboxConfig(), CancellationToken.None));
        Assert.Equal([("Warning", "ErrImageNeverPull", "spec.containers{c}", "Container image \"absent:1\" is not present with pull policy of Never")], Shape(events.Take()));

        var ifNotPresent = new Container { Name = "c", Image = "busybox", ImagePullPolicy = "IfNotPresent" };
        await images.EnsureImageAsync(PodWith(ifNotPresent), ifNotPresent, new PodSandboxConfig(), CancellationToken.None);
        Assert.Equal([("Normal", "Pulled", "spec.containers{c}", "Container image \"busybox\" already present on machine and can be accessed by the pod")], Shape(events.Take()));
        Assert.Equal(0, fake.Pulls);

        var pulled = Assert.Single(events.All.Where(x => x.Reason == "Pulled"));
        Assert.Equal(("Pod", "v1", "ns", "p", "uid"), (pulled.Involved.Kind, pulled.Involved.ApiVersion, pulled.Involved.Namespace, pulled.Involved.Name, pulled.Involved.Uid));
    }

    [Fact]
    public async Task A_failed_pull_is_Pulling_then_a_Warning_Failed_with_Gos_rpc_error_then_a_Normal_BackOff_while_backing_off()
    {
        await using var fake = new FakeImages();
        await fake.StartAsync();
        var time = new ManualTime(T0);
        var events = new RecordingKubeletEvents();
        var images = new ImageManager(new ImageServiceClient(fake.Client), new Backoff(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), time),
            new TestLogger<ImageManager>(), events);
        var c = new Container { Name = "c", Image = "absent:1" };
        (string, string, string?, string)[] pullFails =
        [
            ("Normal", "Pulling", "spec.containers{c}", "Pulling image \"absent:1\""),
            ("Warning", "Failed", "spec.containers{c}", "Failed to pull image \"absent:1\": rpc error: code = Unknown desc = failed to resolve reference: no network"),
        ];

        await Assert.ThrowsAsync<ImagePullException>(() => images.EnsureImageAsync(PodWith(c), c, new PodSandboxConfig(), CancellationToken.None));
        Assert.Equal(pullFails, Shape(events.Take()));

        time.Advance(TimeSpan.FromSeconds(5));
        await Assert.ThrowsAsync<ImagePullException>(() => images.EnsureImageAsync(PodWith(c), c, new PodSandboxConfig(), CancellationToken.None));
        Assert.Equal([("Normal", "BackOff", "spec.containers{c}", "Back-off pulling image \"absent:1\"")], Shape(events.Take()));

        time.Advance(TimeSpan.FromSeconds(6));
        await Assert.ThrowsAsync<ImagePullException>(() => images.EnsureImageAsync(PodWith(c), c, new PodSandboxConfig(), CancellationToken.None));
        Assert.Equal(pullFails, Shape(events.Take()));
        Assert.Equal(2, fake.Pulls);
    }

    [Fact]
    public async Task A_successful_pull_is_Pulling_then_Pulled_with_its_duration_and_the_image_size()
    {
        await using var cri = await FakeCri.StartAsync();
        cri.PullSucceeds = true;
        var events = new RecordingKubeletEvents();
        var images = new ImageManager(cri.ImageService, new Backoff(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), new ManualTime(T0)),
            new TestLogger<ImageManager>(), events);
        var c = new Container { Name = "c", Image = "busybox:1.36", ImagePullPolicy = "IfNotPresent" };

        Assert.Equal("sha256:busybox:1.36", await images.EnsureImageAsync(PodWith(c), c, new PodSandboxConfig(), CancellationToken.None));

        var got = events.Take();
        Assert.Equal(2, got.Count);
        Assert.Equal(("Normal", "Pulling", "spec.containers{c}", "Pulling image \"busybox:1.36\""), Shape(got)[0]);
        Assert.Equal(("Normal", "Pulled", "spec.containers{c}"), (got[1].Type, got[1].Reason, got[1].Involved.FieldPath));
        // Go's time.Duration at millisecond precision, the same for the pull and the pull including waiting.
        Assert.Matches(@"^Successfully pulled image ""busybox:1\.36"" in (0s|[1-9]\d{0,2}ms|(?:[1-9]\d*m)?\d{1,2}(?:\.\d{1,3})?s) \(\1 including waiting\)\. Image size: 4269694 bytes\.$",
            got[1].Message);

        await images.EnsureImageAsync(PodWith(c), c, new PodSandboxConfig(), CancellationToken.None);
        Assert.Equal([("Normal", "Pulled", "spec.containers{c}", "Container image \"busybox:1.36\" already present on machine and can be accessed by the pod")], Shape(events.Take()));
    }
}
