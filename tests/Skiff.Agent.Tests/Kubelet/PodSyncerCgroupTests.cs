using Skiff.Agent.Kubelet.Cgroups;
using Skiff.Agent.Kubelet;
using Skiff.Agent.Tests.Kubelet.Cgroups;
using Skiff.Agent.Tests.Support;
using Xunit.Abstractions;
using static Skiff.Agent.Tests.Kubelet.PodSyncerEventsTests;

namespace Skiff.Agent.Tests.Kubelet;

/// <summary>The pod's own cgroup around its sandbox and containers, on a plain-directory cgroup tree.</summary>
public sealed class PodSyncerCgroupTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_sandbox_and_its_containers_go_in_the_pods_cgroup_which_goes_with_the_pod()
    {
        using var dir = new TempDir();
        var cgroups = new PodCgroups(Tree(dir), 2, new TestLogger<PodCgroups>());
        await using var h = await Harness.StartAsync(output, cgroups);

        await h.SyncAsync(PodOf([C("app")]));

        var parent = $"/kubepods/besteffort/pod{Uid}";
        Assert.Equal([("RunPodSandbox", parent), ("CreateContainer", parent)], h.Cri.CgroupParents);
        Assert.Equal("2", File.ReadAllText(dir.Combine("cpu", "kubepods", "besteffort", "pod" + Uid, "cpu.shares")));

        var deleting = PodOf([C("app")]);
        deleting.Metadata!.DeletionTimestamp = DateTimeOffset.UtcNow;
        deleting.Metadata.DeletionGracePeriodSeconds = 1;
        Assert.True((await h.SyncAsync(deleting)).Finished);
        Assert.False(Directory.Exists(dir.Combine("cpu", "kubepods", "besteffort", "pod" + Uid)));
        Assert.False(Directory.Exists(dir.Combine("memory", "kubepods", "besteffort", "pod" + Uid)));
    }

    [Fact]
    public async Task A_finished_pods_cgroup_goes_when_it_finishes_while_the_pod_object_stays()
    {
        using var dir = new TempDir();
        await using var h = await Harness.StartAsync(output, new PodCgroups(Tree(dir), 2, new TestLogger<PodCgroups>()));
        var pod = PodOf([C("job")]);
        pod.Spec!.RestartPolicy = "Never";
        await h.SyncAsync(pod);
        Assert.True(Directory.Exists(dir.Combine("cpu", "kubepods", "besteffort", "pod" + Uid)));

        h.Cri.Exit("job", 0);
        await h.SyncAsync(pod);
        Assert.Equal("Succeeded", h.Statuses.Last!.Phase);
        Assert.False(Directory.Exists(dir.Combine("cpu", "kubepods", "besteffort", "pod" + Uid)));
        Assert.False(Directory.Exists(dir.Combine("memory", "kubepods", "besteffort", "pod" + Uid)));

        // Later syncs of the finished pod do not make it again.
        pod.Status = h.Statuses.Last;
        await h.SyncAsync(pod);
        Assert.False(Directory.Exists(dir.Combine("cpu", "kubepods", "besteffort", "pod" + Uid)));
        Assert.Empty(h.Deleter.Deleted);
    }

    [Fact]
    public async Task A_pod_cgroup_that_cannot_be_made_is_a_Warning_FailedCreatePodContainer_and_no_sandbox_is_started()
    {
        using var dir = new TempDir();
        var fs = Tree(dir);
        File.WriteAllText(dir.Combine("memory", "kubepods"), "not a directory");
        await using var h = await Harness.StartAsync(output, new PodCgroups(fs, 2, new TestLogger<PodCgroups>()));

        await Assert.ThrowsAnyAsync<IOException>(() => h.SyncAsync(PodOf([C("app")])));

        var e = Assert.Single(h.Events.Take());
        Assert.Equal(("Warning", "FailedCreatePodContainer"), (e.Type, e.Reason));
        Assert.StartsWith($"unable to ensure pod container exists: cannot set up the cgroup of pod {Uid}: ", e.Message);
        Assert.Empty(h.Cri.CgroupParents);
    }

    private static CgroupFs Tree(TempDir dir)
    {
        var mounts = new[] { new CgroupMount(dir.Combine("cpu"), false, ["cpu"]), new CgroupMount(dir.Combine("memory"), false, ["memory"]) };
        foreach (var m in mounts) Directory.CreateDirectory(m.MountPoint);
        return new CgroupFs(mounts, isV2: false, PodCgroupsTests.FakeRmdir);
    }
}
