using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Skiff.Agent.Volumes;
using Skiff.Api.Models.Core.V1;
using VolumeMount = Skiff.Agent.Volumes.VolumeMount;

namespace Skiff.Agent.Kubelet;

/// <summary>
/// A stand-in <see cref="IVolumeManager"/> until the full volume library lands: emptyDir volumes only
/// (a directory under the pod's dir, or a tmpfs for medium Memory); other volume kinds are skipped with a
/// warning, so pods that carry them (the service account token volume) still run. Thread-safe.
/// </summary>
public sealed class EmptyDirOnlyVolumeManager(AgentPaths paths, ILogger<EmptyDirOnlyVolumeManager> log) : IVolumeManager
{
    private readonly ConcurrentDictionary<string, bool> _warned = new();

    public async Task<IReadOnlyList<VolumeMount>> SetUpAsync(Pod pod, CancellationToken ct)
    {
        var uid = PodNaming.Uid(pod);
        var dirs = new Dictionary<string, string>();
        foreach (var v in pod.Spec?.Volumes ?? [])
        {
            if (v.EmptyDir is null)
            {
                if (_warned.TryAdd($"{uid}/{v.Name}", true))
                    log.LogWarning("Pod {Pod}: volume {Volume} is not an emptyDir; this build mounts emptyDir volumes only", PodNaming.FullName(pod), v.Name);
                continue;
            }
            var dir = VolumeDir(uid, v.Name ?? "");
            Directory.CreateDirectory(dir);
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);
            if (v.EmptyDir.Medium == "Memory" && !IsMountPoint(dir))
                await RunAsync("mount", ["-t", "tmpfs", "-o", "mode=0777", "tmpfs", dir], ct).ConfigureAwait(false);
            dirs[v.Name ?? ""] = dir;
        }
        var mounts = new List<VolumeMount>();
        foreach (var c in (pod.Spec?.InitContainers ?? []).Concat(pod.Spec?.Containers ?? []))
            foreach (var m in c.VolumeMounts ?? [])
                if (m.Name is not null && dirs.TryGetValue(m.Name, out var host))
                    mounts.Add(new VolumeMount(c.Name ?? "", host, m.MountPath ?? "", m.ReadOnly == true, string.IsNullOrEmpty(m.SubPath) ? null : m.SubPath));
        return mounts;
    }

    public async Task TearDownAsync(Pod pod, CancellationToken ct)
    {
        var root = VolumeLayout.EmptyDirs(PodNaming.PodDirectory(paths, PodNaming.Uid(pod)));
        if (!Directory.Exists(root)) return;
        foreach (var dir in Directory.EnumerateDirectories(root))
            if (IsMountPoint(dir)) await RunAsync("umount", [dir], ct).ConfigureAwait(false);
        Directory.Delete(root, recursive: true);
    }

    private string VolumeDir(string uid, string name) =>
        VolumeLayout.EmptyDir(PodNaming.PodDirectory(paths, uid), name);

    private static bool IsMountPoint(string dir) =>
        File.ReadLines("/proc/self/mountinfo").Any(l => l.Split(' ')[4] == dir);

    private static async Task RunAsync(string file, string[] args, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = await p.StandardError.ReadToEndAsync(ct).ConfigureAwait(false);
        await p.WaitForExitAsync(ct).ConfigureAwait(false);
        if (p.ExitCode != 0) throw new IOException($"{file} {string.Join(' ', args)}: {err.Trim()}");
    }
}
