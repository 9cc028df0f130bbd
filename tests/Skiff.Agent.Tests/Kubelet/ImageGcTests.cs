using Skiff.Agent.Cri.V1;
using Skiff.Agent.Kubelet;
using Skiff.Agent.Kubelet.Eviction;
using Skiff.Agent.Kubelet.ImageGc;
using Skiff.Agent.Tests.Support;

namespace Skiff.Agent.Tests.Kubelet;

/// <summary>The kubelet's image garbage collection against a fake CRI: upstream's thresholds, order, minimum age, pins and events.</summary>
public sealed class ImageGcTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly HashSet<string> Pins = ["localhost/skiff/pause:1.0", "docker.io/library/busybox:latest"];

    private FakeCri _cri = null!;
    private readonly ManualTime _time = new(T0);
    private readonly RecordingKubeletEvents _events = new();
    private SignalObservation? _imageFs = new(Available: 900, Capacity: 1000);
    private IReadOnlySet<string>? _pinned = Pins;

    public async Task InitializeAsync() => _cri = await FakeCri.StartAsync();

    public async Task DisposeAsync() => await _cri.DisposeAsync();

    private ImageGarbageCollector Collector(ImageGcPolicy? policy = null) =>
        new(_cri.Client, _cri.ImageService, () => _pinned, _ => Task.FromResult(_imageFs), policy ?? ImageGcPolicy.Default, "node-1",
            new TestLogger<ImageGarbageCollector>(), _events, _time);

    private void Image(string name, ulong size)
    {
        _cri.Images.Add(name);
        _cri.ImageSizes[name] = size;
    }

    [Fact]
    public async Task Under_the_high_threshold_nothing_is_removed()
    {
        Image("docker.io/library/old:1", 100);
        var gc = Collector();
        _imageFs = new(Available: 160, Capacity: 1000); // 84 % used, the high threshold is 85 %
        await gc.CollectAsync(default);
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(ImageGcResult.None, await gc.CollectAsync(default));
        Assert.Empty(_cri.RemovedImages);
    }

    [Fact]
    public async Task Over_the_high_threshold_the_least_recently_used_images_go_until_the_low_threshold_is_reached()
    {
        var gc = Collector();
        // First seen one after another, none used: the oldest go first.
        Image("docker.io/library/a:1", 60);
        await gc.CollectAsync(default);
        _time.Advance(TimeSpan.FromMinutes(1));
        Image("docker.io/library/b:1", 60);
        await gc.CollectAsync(default);
        _time.Advance(TimeSpan.FromMinutes(1));
        Image("docker.io/library/c:1", 60);
        // Used by an exited container: recently used, so after the others; in use, so never removed while it stays.
        Image("docker.io/library/used:1", 500);
        _cri.AddContainer("done", "docker.io/library/used:1", ContainerState.ContainerExited);
        await gc.CollectAsync(default);
        _time.Advance(TimeSpan.FromMinutes(5));

        // 90 % used; down to 80 % means freeing 1000 × 20 % − 100 = 100 bytes: a and b (120 bytes) are enough.
        _imageFs = new(Available: 100, Capacity: 1000);
        var result = await gc.CollectAsync(default);
        Assert.Equal(new ImageGcResult(2, 120), result);
        Assert.Equal(["docker.io/library/a:1", "docker.io/library/b:1"], _cri.RemovedImages);
        Assert.Contains("docker.io/library/c:1", _cri.Images);
        Assert.Empty(_events.All);
    }

    [Fact]
    public async Task Images_seen_less_than_the_minimum_age_ago_stay_and_a_shortfall_is_a_FreeDiskSpaceFailed_event()
    {
        var gc = Collector();
        Image("docker.io/library/old:1", 50);
        await gc.CollectAsync(default);
        _time.Advance(TimeSpan.FromMinutes(3));
        Image("docker.io/library/new:1", 500); // just pulled: 1 minute old at the next collection
        await gc.CollectAsync(default);
        _time.Advance(TimeSpan.FromMinutes(1));

        _imageFs = new(Available: 100, Capacity: 1000);
        var e = await Assert.ThrowsAsync<ImageGcException>(() => gc.CollectAsync(default));
        Assert.Equal("Failed to garbage collect required amount of images. Attempted to free 100 bytes, but only found 50 bytes eligible to free.", e.Message);
        Assert.Equal(["docker.io/library/old:1"], _cri.RemovedImages);
        var ev = Assert.Single(_events.All);
        Assert.Equal(("Warning", EventReasons.FreeDiskSpaceFailed, "Node", "node-1", e.Message), (ev.Type, ev.Reason, ev.Involved.Kind, ev.Involved.Name, ev.Message));

        // A minute later it is old enough.
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(new ImageGcResult(1, 500), await gc.CollectAsync(default));
    }

    [Fact]
    public async Task Pinned_images_stay_and_without_known_pins_nothing_is_even_listed()
    {
        Image("localhost/skiff/pause:1.0", 300);           // the sandbox image
        Image("docker.io/library/busybox:latest", 300);    // an air-gap image
        Image("registry.k8s.io/pause:3.10", 300);          // pinned by the runtime
        _cri.PinnedImages.Add("registry.k8s.io/pause:3.10");
        Image("docker.io/library/stale:1", 10);
        var gc = Collector(ImageGcPolicy.Default with { MinAge = TimeSpan.Zero });
        _imageFs = new(Available: 0, Capacity: 1000);

        await Assert.ThrowsAsync<ImageGcException>(() => gc.CollectAsync(default)); // only 10 bytes were eligible
        Assert.Equal(["docker.io/library/stale:1"], _cri.RemovedImages);

        // An external runtime: its sandbox image is not known, so no image is touched.
        _pinned = null;
        var listings = _cri.ImageListings;
        Image("docker.io/library/stale:2", 10);
        Assert.Equal(ImageGcResult.None, await gc.CollectAsync(default));
        Assert.Equal(ImageGcResult.None, await gc.DeleteUnusedAsync(default));
        Assert.Equal(listings, _cri.ImageListings);
    }

    [Fact]
    public async Task A_refused_removal_is_skipped_and_reported_and_the_others_still_go()
    {
        Image("docker.io/library/a:1", 60);
        Image("docker.io/library/b:1", 60);
        _cri.UnremovableImages.Add("docker.io/library/a:1");
        var gc = Collector(ImageGcPolicy.Default with { MinAge = TimeSpan.Zero });
        _imageFs = new(Available: 150, Capacity: 1000); // 85 %: at the threshold counts; 50 bytes to free

        var e = await Assert.ThrowsAsync<ImageGcException>(() => gc.CollectAsync(default));
        Assert.StartsWith("wanted to free 50 bytes, but freed 60 bytes space with errors in image deletion: [docker.io/library/a:1: ", e.Message);
        Assert.Equal(["docker.io/library/a:1", "docker.io/library/b:1"], _cri.RemovedImages);
        Assert.DoesNotContain("docker.io/library/b:1", _cri.Images);
    }

    [Fact]
    public async Task A_zero_capacity_is_an_InvalidDiskCapacity_event_and_an_unknown_filesystem_an_error()
    {
        var gc = Collector();
        _imageFs = new(Available: 0, Capacity: 0);
        var e = await Assert.ThrowsAsync<ImageGcException>(() => gc.CollectAsync(default));
        Assert.Equal("invalid capacity 0 on image filesystem", e.Message);
        Assert.Equal(EventReasons.InvalidDiskCapacity, Assert.Single(_events.All).Reason);

        _imageFs = null;
        await Assert.ThrowsAsync<ImageGcException>(() => gc.CollectAsync(default));
    }

    [Fact]
    public async Task The_reclaim_removes_every_unused_image_old_enough_whatever_the_usage()
    {
        Image("docker.io/library/a:1", 60);
        Image("docker.io/library/b:1", 60);
        Image("localhost/skiff/pause:1.0", 60);
        _cri.AddContainer("app", "docker.io/library/b:1", ContainerState.ContainerRunning);
        var gc = Collector();
        _imageFs = new(Available: 999, Capacity: 1000);
        await gc.CollectAsync(default);
        _time.Advance(TimeSpan.FromMinutes(2));

        var reclaimed = await new NodeReclaimer(_cri.Client, gc, new TestLogger<NodeReclaimer>()).ReclaimAsync(default);
        Assert.Equal(new NodeReclaimResult(0, 1, 60), reclaimed);
        Assert.Equal(["docker.io/library/a:1"], _cri.RemovedImages);
    }

    [Fact]
    public async Task The_loop_collects_at_once_and_a_second_failure_in_a_row_is_an_ImageGCFailed_event()
    {
        _imageFs = new(Available: 0, Capacity: 0); // every collection fails
        var gc = new ImageGarbageCollector(_cri.Client, _cri.ImageService, () => _pinned, _ => Task.FromResult<SignalObservation?>(_imageFs),
            ImageGcPolicy.Default with { Period = TimeSpan.FromMilliseconds(20) }, "node-1", new TestLogger<ImageGarbageCollector>(), _events);
        using var cts = new CancellationTokenSource();
        var loop = gc.RunAsync(cts.Token);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (_events.All.Count(e => e.Reason == EventReasons.ImageGCFailed) < 2 && DateTime.UtcNow < deadline) await Task.Delay(10);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop);

        var reasons = _events.All.Select(e => e.Reason).ToList();
        // Each collection records InvalidDiskCapacity; from the second on, each also records ImageGCFailed.
        Assert.Equal([EventReasons.InvalidDiskCapacity, EventReasons.InvalidDiskCapacity, EventReasons.ImageGCFailed], reasons.Take(3));
        Assert.True(reasons.Count(r => r == EventReasons.ImageGCFailed) >= 2);
        Assert.Equal("invalid capacity 0 on image filesystem", _events.All.First(e => e.Reason == EventReasons.ImageGCFailed).Message);
    }

    [Fact]
    public async Task A_high_threshold_of_100_turns_collection_off()
    {
        Image("docker.io/library/a:1", 60);
        var gc = Collector(ImageGcPolicy.Default with { HighThresholdPercent = 100, MinAge = TimeSpan.Zero });
        await gc.RunAsync(default); // returns at once
        Assert.Equal(0, _cri.ImageListings);
    }

    [Theory]
    [InlineData(101, 80, "invalid configuration: imageGCHighThresholdPercent (--image-gc-high-threshold) 101 must be between 0 and 100, inclusive")]
    [InlineData(85, -1, "invalid configuration: imageGCLowThresholdPercent (--image-gc-low-threshold) -1 must be between 0 and 100, inclusive")]
    [InlineData(80, 80, "invalid configuration: imageGCLowThresholdPercent (--image-gc-low-threshold) 80 must be less than imageGCHighThresholdPercent (--image-gc-high-threshold) 80")]
    public void The_policy_is_checked_with_upstreams_messages(int high, int low, string message)
    {
        var e = Assert.Throws<FormatException>(() => new ImageGcPolicy { HighThresholdPercent = high, LowThresholdPercent = low }.Validated());
        Assert.Equal(message, e.Message);
        Assert.Equal(1, new ImageGcPolicy { HighThresholdPercent = 1, LowThresholdPercent = 0 }.Validated().HighThresholdPercent);
        Assert.Throws<FormatException>(() => ImageGcPolicy.ParsePercent("85%"));
    }
}
