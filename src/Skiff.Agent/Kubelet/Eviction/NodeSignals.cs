using System.Globalization;
using Skiff.Agent.Cri;
using Skiff.Agent.Volumes;

namespace Skiff.Agent.Kubelet.Eviction;

/// <summary>What one eviction signal observed: how much is left and of how much.</summary>
public sealed record SignalObservation(long Available, long Capacity);

/// <summary>
/// Observes upstream's eviction signals on this machine:
/// <list type="bullet">
/// <item>memory.available: MemTotal less the working set (MemTotal − MemFree − Inactive(file), the figure
/// <c>/metrics/resource</c> reports for the node), so MemFree + Inactive(file);</item>
/// <item>nodefs.available and nodefs.inodesFree: statvfs of the kubelet's data dir;</item>
/// <item>imagefs.*: statvfs of the filesystem the runtime keeps images on (CRI ImageFsInfo's mount point; the data
/// dir's when the runtime does not say), which on one disk is the same filesystem, as upstream observes it;</item>
/// <item>pid.available: the smaller of kernel.pid_max and kernel.threads-max, less the tasks that exist
/// (/proc/loadavg's count).</item>
/// </list>
/// A signal that cannot be read is left out. Stateless apart from its paths; thread-safe.
/// </summary>
public sealed class NodeSignals(string nodeFsPath, ImageServiceClient? images = null)
{
    public async Task<IReadOnlyDictionary<string, SignalObservation>> ObserveAsync(CancellationToken ct)
    {
        string? imageFsPath = null;
        if (images is not null)
        {
            try
            {
                var info = await images.ImageFsInfoAsync(ct).ConfigureAwait(false);
                imageFsPath = info.ImageFilesystems.Select(f => f.FsId?.Mountpoint).FirstOrDefault(m => m is { Length: > 0 } && Directory.Exists(m));
            }
            catch (Cri.Grpc.RpcException) { }
        }
        var nodeFs = Posix.StatVfs(nodeFsPath);
        return Observe(ProcMemInfo.Read(), nodeFs, imageFsPath is null ? nodeFs : Posix.StatVfs(imageFsPath) ?? nodeFs,
            PidCapacity(Read("/proc/sys/kernel/pid_max"), Read("/proc/sys/kernel/threads-max")), Tasks(Read("/proc/loadavg")));
    }

    /// <summary>The observations from the raw readings; pure.</summary>
    public static Dictionary<string, SignalObservation> Observe(IReadOnlyDictionary<string, long> memInfo, FilesystemStats? nodeFs,
        FilesystemStats? imageFs, long? pidCapacity, long? tasks)
    {
        var result = new Dictionary<string, SignalObservation>(StringComparer.Ordinal);
        if (memInfo.TryGetValue("MemTotal", out var total) && memInfo.TryGetValue("MemFree", out var free))
        {
            var workingSet = Math.Max(0, total - free - memInfo.GetValueOrDefault("Inactive(file)"));
            result[EvictionSignals.MemoryAvailable] = new SignalObservation(total - workingSet, total);
        }
        if (nodeFs is not null)
        {
            result[EvictionSignals.NodeFsAvailable] = new SignalObservation(nodeFs.AvailableBytes, nodeFs.CapacityBytes);
            if (nodeFs.Inodes > 0) result[EvictionSignals.NodeFsInodesFree] = new SignalObservation(nodeFs.InodesFree, nodeFs.Inodes);
        }
        if (imageFs is not null)
        {
            result[EvictionSignals.ImageFsAvailable] = new SignalObservation(imageFs.AvailableBytes, imageFs.CapacityBytes);
            if (imageFs.Inodes > 0) result[EvictionSignals.ImageFsInodesFree] = new SignalObservation(imageFs.InodesFree, imageFs.Inodes);
        }
        if (pidCapacity is > 0 && tasks is { } n)
            result[EvictionSignals.PidAvailable] = new SignalObservation(Math.Max(0, pidCapacity.Value - n), pidCapacity.Value);
        return result;
    }

    /// <summary>The most PIDs the node can hand out: the smaller of pid_max and threads-max, as upstream's rlimit stats.</summary>
    public static long? PidCapacity(string? pidMax, string? threadsMax)
    {
        long? max = null;
        foreach (var text in new[] { pidMax, threadsMax })
        {
            if (long.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0)
                max = max is null ? v : Math.Min(max.Value, v);
        }
        return max;
    }

    /// <summary>The number of tasks (threads) that exist, from /proc/loadavg's "running/total" field.</summary>
    public static long? Tasks(string? loadAvg)
    {
        var field = loadAvg?.Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(3);
        var slash = field?.IndexOf('/') ?? -1;
        return slash > 0 && long.TryParse(field![(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    private static string? Read(string path)
    {
        try { return File.ReadAllText(path); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
