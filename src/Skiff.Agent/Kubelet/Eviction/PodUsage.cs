using System.Globalization;
using Skiff.Agent.Cri;
using Skiff.Agent.Cri.V1;
using Skiff.Agent.Kubelet.Cgroups;
using Skiff.Api.Models.Core.V1;

namespace Skiff.Agent.Kubelet.Eviction;

/// <summary>
/// What one pod uses of what eviction reclaims: each container's memory working set and disk (its writable layer
/// and its logs), the pod's local volumes on disk (emptyDirs not in memory), its processes (null when unknown) and
/// the inodes all of those hold.
/// </summary>
public sealed record PodUsage(
    IReadOnlyDictionary<string, long> ContainerMemory,
    IReadOnlyDictionary<string, long> ContainerDisk,
    long VolumeBytes = 0,
    long? Processes = null,
    long Inodes = 0)
{
    public static readonly PodUsage None = new(new Dictionary<string, long>(), new Dictionary<string, long>());

    public long Memory => ContainerMemory.Values.Sum();
    public long Disk => ContainerDisk.Values.Sum() + VolumeBytes;
}

/// <summary>
/// Reads <see cref="PodUsage"/> for the eviction manager, as upstream's summary provider does on CRI stats: the
/// runtime's ListContainerStats (working set, writable layer) joined by the kubelet's CRI labels, the container log
/// files under the pod's log directory, the disk emptyDirs under the pod's directory and pids.current of the pod's
/// cgroup. Thread-safe.
/// </summary>
public sealed class PodUsageReader(RuntimeServiceClient runtime, AgentPaths paths, IPodCgroups cgroups, CgroupFs? cgroupFs)
{
    public async Task<IReadOnlyDictionary<string, PodUsage>> ReadAsync(IReadOnlyList<Pod> pods, CancellationToken ct)
    {
        var stats = await runtime.ListContainerStatsAsync(null, ct).ConfigureAwait(false);
        var byPod = Join(stats);
        var result = new Dictionary<string, PodUsage>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            var uid = PodNaming.Uid(pod);
            var joined = byPod.GetValueOrDefault(uid) ?? new JoinedPod();
            var disk = new Dictionary<string, long>(joined.Disk, StringComparer.Ordinal);
            var inodes = joined.Inodes;
            var logDir = PodNaming.LogDirectory(paths, pod);
            foreach (var c in (pod.Spec?.InitContainers ?? []).Concat(pod.Spec?.Containers ?? []))
            {
                if (c.Name is not { Length: > 0 } name) continue;
                var (logs, logInodes) = EmptyDirLimitMonitor.Measure(Path.Combine(logDir, name)) ?? (0, 0);
                if (logs > 0 || disk.ContainsKey(name)) disk[name] = disk.GetValueOrDefault(name) + logs;
                inodes += logInodes;
            }
            long volumes = 0;
            foreach (var v in pod.Spec?.Volumes ?? [])
            {
                if (v.EmptyDir is null || v.EmptyDir.Medium == "Memory" || v.Name is not { Length: > 0 } volume) continue;
                var (bytes, volumeInodes) = EmptyDirLimitMonitor.Measure(Volumes.VolumeLayout.EmptyDir(PodNaming.PodDirectory(paths, uid), volume)) ?? (0, 0);
                volumes += bytes;
                inodes += volumeInodes;
            }
            result[uid] = new PodUsage(joined.Memory, disk, volumes, Processes(pod), inodes);
        }
        return result;
    }

    /// <summary>One pod's share of the runtime's stats.</summary>
    public sealed class JoinedPod
    {
        /// <summary>Each container's working set (running ones).</summary>
        public Dictionary<string, long> Memory { get; } = new(StringComparer.Ordinal);
        /// <summary>Each container's writable layer bytes (every instance kept).</summary>
        public Dictionary<string, long> Disk { get; } = new(StringComparer.Ordinal);
        /// <summary>The inodes of all its writable layers.</summary>
        public long Inodes { get; set; }
    }

    /// <summary>The runtime's stats per pod UID, by the kubelet's CRI labels.</summary>
    public static Dictionary<string, JoinedPod> Join(IEnumerable<ContainerStats> stats)
    {
        var result = new Dictionary<string, JoinedPod>(StringComparer.Ordinal);
        foreach (var s in stats)
        {
            if (s.Attributes is not { } a || !a.Labels.TryGetValue(PodNaming.PodUidLabel, out var uid)) continue;
            var name = a.Labels.GetValueOrDefault(PodNaming.ContainerNameLabel) ?? a.Metadata?.Name ?? "";
            if (name.Length == 0) continue;
            if (!result.TryGetValue(uid, out var pod)) result[uid] = pod = new JoinedPod();
            if (s.Memory?.WorkingSetBytes is { } ws) pod.Memory[name] = pod.Memory.GetValueOrDefault(name) + (long)ws.Value;
            if (s.WritableLayer?.UsedBytes is { } used) pod.Disk[name] = pod.Disk.GetValueOrDefault(name) + (long)used.Value;
            if (s.WritableLayer?.InodesUsed is { } inodes) pod.Inodes += (long)inodes.Value;
        }
        return result;
    }

    private long? Processes(Pod pod)
    {
        if (cgroupFs?.For("pids") is not { } mount || cgroups.ParentFor(pod) is not { } path) return null;
        try
        {
            var text = File.ReadAllText(Path.Combine(CgroupFs.Dir(mount, path), "pids.current"));
            return long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
