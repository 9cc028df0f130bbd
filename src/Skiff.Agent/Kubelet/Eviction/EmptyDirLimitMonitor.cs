using Microsoft.Extensions.Logging;
using Skiff.Agent.Volumes;
using Skiff.Api.Models.Core.V1;

namespace Skiff.Agent.Kubelet.Eviction;

/// <summary>
/// Upstream's local-storage eviction for emptyDir volumes: every monitoring period (upstream's 10 s), a running pod
/// whose emptyDir volume holds more than its <c>sizeLimit</c> is marked for eviction with upstream's message
/// ("Usage of EmptyDir volume "v" exceeds the limit "1Mi". ") and its worker is signalled; the worker stops it
/// and fails it with reason Evicted (<see cref="PodSyncer"/>). Usage is the apparent size of the files under the
/// volume's directory, not following symbolic links. One loop; the pod list and signal are thread-safe.
/// </summary>
public sealed class EmptyDirLimitMonitor(
    Func<IReadOnlyList<Pod>> pods,
    Func<string, string> podDirectory,
    Evictions evictions,
    Action<string> signal,
    TimeSpan period,
    ILogger<EmptyDirLimitMonitor> log)
{
    public async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false)) CheckOnce();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    /// <summary>One pass over the pods; returns the UIDs it marked.</summary>
    public IReadOnlyList<string> CheckOnce()
    {
        var marked = new List<string>();
        foreach (var pod in pods())
        {
            if (pod.Metadata?.Uid is not { Length: > 0 } uid || pod.Metadata.DeletionTimestamp is not null) continue;
            if (pod.Status?.Phase is "Succeeded" or "Failed" || evictions.MessageFor(uid) is not null) continue;
            foreach (var volume in pod.Spec?.Volumes ?? [])
            {
                if (volume.EmptyDir?.SizeLimit is not { Value: { Length: > 0 } text } || volume.Name is not { Length: > 0 } name) continue;
                if (!Quantities.TryParse(volume.EmptyDir.SizeLimit, out var limit) || limit <= 0) continue;
                var used = Usage(VolumeLayout.EmptyDir(podDirectory(uid), name));
                if (used is null || used <= limit) continue;
                var message = $"Usage of EmptyDir volume \"{name}\" exceeds the limit \"{text}\". ";
                if (!evictions.Add(uid, message)) break;
                log.LogInformation("Pod {Pod}: emptyDir {Volume} holds {Used} bytes, over its sizeLimit {Limit}: evicting", PodNaming.FullName(pod), name, used, text);
                marked.Add(uid);
                signal(uid);
                break;
            }
        }
        return marked;
    }

    /// <summary>The bytes of the files under <paramref name="dir"/>; null when it does not exist (yet).</summary>
    public static long? Usage(string dir) => Measure(dir)?.Bytes;

    /// <summary>
    /// The bytes of the files under <paramref name="dir"/> and the inodes there (every file and directory, the
    /// directory itself included), in one walk; links are not followed (nor counted), so a link to a directory cannot
    /// lead the walk in circles. Null when the directory does not exist (yet).
    /// </summary>
    public static (long Bytes, long Inodes)? Measure(string dir)
    {
        if (!Directory.Exists(dir)) return null;
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        long bytes = 0, inodes = 1;
        try
        {
            foreach (var entry in new DirectoryInfo(dir).EnumerateFileSystemInfos("*", options))
            {
                inodes++;
                if (entry is not FileInfo file) continue;
                try { bytes += file.Length; }
                catch (IOException) { } // removed while counting
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        return (bytes, inodes);
    }
}
