using Skiff.Agent.Kubelet;
using Skiff.Agent.Kubelet.Eviction;
using Skiff.Agent.Tests.Support;
using Skiff.Agent.Volumes;
using Skiff.Api.Models;
using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Meta.V1;
using Xunit.Abstractions;
using static Skiff.Agent.Tests.Kubelet.PodSyncerEventsTests;

namespace Skiff.Agent.Tests.Kubelet;

public sealed class EvictionTests(ITestOutputHelper output)
{
    private static Pod WithScratch(string uid, string? sizeLimit, string? phase = "Running") => new()
    {
        Metadata = new ObjectMeta { Name = "writer-" + uid, Namespace = "shop", Uid = uid },
        Spec = new PodSpec
        {
            Containers = [C("app")],
            Volumes = [new Volume { Name = "scratch", EmptyDir = new EmptyDirVolumeSource { SizeLimit = sizeLimit is null ? null : new Quantity(sizeLimit) } }],
        },
        Status = new PodStatus { Phase = phase },
    };

    private static void Fill(TempDir dir, string uid, int bytes, string file = "data")
    {
        var volume = VolumeLayout.EmptyDir(dir.Combine(uid), "scratch");
        Directory.CreateDirectory(Path.Combine(volume, "sub"));
        File.WriteAllBytes(Path.Combine(volume, "sub", file), new byte[bytes]);
    }

    [Fact]
    public void A_running_pod_over_its_emptyDir_sizeLimit_is_marked_once_with_upstreams_message_and_its_worker_signalled()
    {
        using var dir = new TempDir();
        var pods = new List<Pod> { WithScratch("over", "1Ki"), WithScratch("under", "4Ki"), WithScratch("unlimited", null), WithScratch("done", "1Ki", "Succeeded") };
        var deleting = WithScratch("deleting", "1Ki");
        deleting.Metadata!.DeletionTimestamp = DateTimeOffset.UtcNow;
        pods.Add(deleting);
        foreach (var uid in new[] { "over", "under", "unlimited", "done", "deleting" }) Fill(dir, uid, 2048);
        var evictions = new Evictions();
        var signalled = new List<string>();
        var monitor = new EmptyDirLimitMonitor(() => pods, uid => dir.Combine(uid), evictions, signalled.Add, TimeSpan.FromSeconds(10), new TestLogger<EmptyDirLimitMonitor>());

        Assert.Equal(["over"], monitor.CheckOnce());
        Assert.Equal(["over"], signalled);
        Assert.Equal("Usage of EmptyDir volume \"scratch\" exceeds the limit \"1Ki\". ", evictions.MessageFor("over"));
        Assert.Empty(monitor.CheckOnce()); // already marked

        Fill(dir, "under", 3000, "more"); // 2048 + 3000 > 4 KiB
        Assert.Equal(["under"], monitor.CheckOnce());
    }

    [Fact]
    public void Usage_counts_the_files_under_the_volume_but_not_what_a_symbolic_link_points_at()
    {
        using var dir = new TempDir();
        Fill(dir, "p", 1000);
        File.WriteAllBytes(dir.Combine("outside"), new byte[50_000]);
        var volume = VolumeLayout.EmptyDir(dir.Combine("p"), "scratch");
        File.CreateSymbolicLink(Path.Combine(volume, "link"), dir.Combine("outside"));
        Directory.CreateSymbolicLink(Path.Combine(volume, "dirlink"), dir.Path);

        Assert.Equal(1000, EmptyDirLimitMonitor.Usage(volume));
        Assert.Null(EmptyDirLimitMonitor.Usage(dir.Combine("nowhere")));
    }

    [Fact]
    public async Task An_evicted_pod_is_stopped_and_Failed_with_reason_Evicted_a_DisruptionTarget_condition_and_a_Warning_event()
    {
        var evictions = new Evictions();
        await using var h = await Harness.StartAsync(output, evictions: evictions);
        var pod = PodOf([C("app")]);
        await h.SyncAsync(pod);
        Assert.Equal(1, h.Cri.Running("app"));
        h.Events.Take();

        const string message = "Usage of EmptyDir volume \"scratch\" exceeds the limit \"1Mi\". ";
        Assert.True(evictions.Add(Uid, message));
        pod.Status = h.Statuses.Last;
        await h.SyncAsync(pod);

        Assert.Equal(0, h.Cri.Running("app"));
        var status = h.Statuses.Last!;
        Assert.Equal(("Failed", "Evicted", message), (status.Phase, status.Reason, status.Message));
        var disruption = Assert.Single(status.Conditions!, c => c.Type == "DisruptionTarget");
        Assert.Equal(("True", "TerminationByKubelet", message), (disruption.Status, disruption.Reason, disruption.Message));
        Assert.Equal("False", status.Conditions!.Single(c => c.Type == "Ready").Status);
        var events = h.Events.Take();
        Assert.Contains(events, e => e.Type == "Warning" && e.Reason == "Evicted" && e.Message == message && e.Involved.FieldPath is null);
        Assert.Null(evictions.MessageFor(Uid)); // the phase holds it now
        Assert.Empty(h.Deleter.Deleted); // the object stays for its owner to see

        // Later syncs keep it stopped and keep the condition.
        pod.Status = status;
        await h.SyncAsync(pod);
        Assert.Equal(0, h.Cri.Running("app"));
    }
}
