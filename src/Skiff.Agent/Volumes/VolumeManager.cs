using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;
using Skiff.Api.Models.Core.V1;
using Skiff.Client;
using Skiff.Client.Rest;

namespace Skiff.Agent.Volumes;

/// <summary>
/// Sets up a pod's volumes under <c>&lt;pods-dir&gt;/&lt;uid&gt;/volumes/&lt;plugin&gt;/&lt;name&gt;</c> and says what to mount
/// where: emptyDir (disk, or tmpfs for medium Memory with sizeLimit as its size), configMap (on disk), secret,
/// downwardAPI and projected (including bound service account tokens; each on a tmpfs of its own, see
/// <see cref="MemoryBackedVolumes"/>) written by <see cref="AtomicWriter"/>,
/// hostPath with its type check, and persistentVolumeClaim bound to a local or hostPath PersistentVolume.
/// <para>
/// Promises: <see cref="SetUpAsync"/> is idempotent and meant to be called on every pod sync; it rewrites a
/// volume's files only when their content changed (atomically, through the <c>..data</c> swap) and renews
/// tokens at 80% of their lifetime, so calling it periodically is what keeps the volumes fresh.
/// <see cref="VolumeMount.HostPath"/> is the final host path to bind, with the subPath already resolved and
/// checked to stay inside the volume; <see cref="VolumeMount.SubPath"/> only records what was asked.
/// Calls for one pod are serialised; different pods proceed in parallel.
/// </para>
/// </summary>
public sealed class VolumeManager : IVolumeManager
{
    /// <summary>Upstream's lifetime for the token of the kube-api-access volume the admission plugin adds.</summary>
    public const long DefaultTokenExpirationSeconds = 3607;
    private const string RootCaConfigMap = "kube-root-ca.crt";

    private readonly KubeClient _client;
    private readonly string _podsDir;
    private readonly ILogger _log;
    private readonly string _caPem;
    private readonly ServiceAccountTokenSource _tokens;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _podLocks = new();

    public VolumeManager(KubeClient client, string podsDir, ILogger log, string caPem, TimeProvider? clock = null)
    {
        _client = client;
        _podsDir = podsDir;
        _log = log;
        _caPem = caPem;
        _tokens = new ServiceAccountTokenSource(client, clock);
    }

    /// <summary>A limit a container does not set reads as this (cpu in cores, memory in bytes), as upstream's node allocatable.</summary>
    public IReadOnlyDictionary<string, decimal> NodeAllocatable { get; init; } = HostAllocatable();

    /// <summary>
    /// The pod's memory limit as upstream's ResourceConfigForPod computes it for the pod's cgroup (null when it has
    /// none), which bounds a medium Memory emptyDir as upstream bounds it; the kubelet gives it, since it owns that.
    /// </summary>
    public Func<Pod, long?> PodMemoryLimit { get; init; } = _ => null;

    /// <summary>
    /// Whether secret, downwardAPI and projected volumes are each a tmpfs of their own, as upstream (whose plugins wrap
    /// a medium Memory emptyDir): a Secret or a token is then never written to the node's disk. On by default; the
    /// unit tests that look only at the files' layout, and may run without root, turn it off.
    /// </summary>
    public bool MemoryBackedVolumes { get; init; } = true;

    /// <summary>Where the pod's volumes live.</summary>
    public string VolumesDir(string podUid) => Path.Combine(_podsDir, podUid, "volumes");

    public async Task<IReadOnlyList<VolumeMount>> SetUpAsync(Pod pod, CancellationToken ct)
    {
        var uid = RequireUid(pod);
        var gate = _podLocks.GetOrAdd(uid, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var volumes = new Dictionary<string, SetUpVolume>(StringComparer.Ordinal);
            foreach (var volume in pod.Spec?.Volumes ?? [])
            {
                var name = volume.Name ?? "";
                try { volumes[name] = await SetUpVolumeAsync(pod, uid, volume, ct).ConfigureAwait(false); }
                catch (Exception e) when (e is not (OperationCanceledException or VolumeSetupException))
                {
                    throw new VolumeSetupException(name, e.Message, e);
                }
            }
            return MountsFor(pod, volumes);
        }
        finally { gate.Release(); }
    }

    public async Task TearDownAsync(Pod pod, CancellationToken ct)
    {
        var uid = RequireUid(pod);
        var gate = _podLocks.GetOrAdd(uid, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var dir = VolumesDir(uid);
            if (Directory.Exists(dir))
            {
                foreach (var mount in Posix.MountsUnder(dir))
                {
                    Posix.Unmount(mount);
                    _log.LogInformation("Unmounted {Mount} of pod {Uid}", mount, uid);
                }
                // Nothing below is a mount any more (checked again: a failed unmount must never let us delete through it).
                if (Posix.MountsUnder(dir).Count > 0) throw new IOException($"mounts remain under {dir}");
                Directory.Delete(dir, recursive: true);
            }
            var podDir = Path.Combine(_podsDir, uid);
            if (Directory.Exists(podDir) && !Directory.EnumerateFileSystemEntries(podDir).Any()) Directory.Delete(podDir);
            _tokens.Forget(uid);
        }
        finally
        {
            gate.Release();
            _podLocks.TryRemove(uid, out _);
        }
    }

    /// <summary>A volume ready to mount: its host path and whether every mount of it is read-only.</summary>
    private sealed record SetUpVolume(string HostPath, bool ReadOnly, bool Writable);

    private async Task<SetUpVolume> SetUpVolumeAsync(Pod pod, string uid, Volume v, CancellationToken ct)
    {
        var name = v.Name ?? throw new ArgumentException("a volume has no name");
        var fsGroup = (int?)pod.Spec?.SecurityContext?.FsGroup;
        if (v.EmptyDir is { } emptyDir)
        {
            var dir = PluginDir(uid, VolumeLayout.EmptyDirPlugin, name);
            SetUpEmptyDir(dir, emptyDir, fsGroup, pod);
            return new SetUpVolume(dir, false, true);
        }
        if (v.ConfigMap is { } cm)
        {
            var data = await ReadConfigMapAsync(pod, cm.Name ?? "", cm.Optional == true, ct).ConfigureAwait(false);
            var files = data is null ? [] : ProjectionBuilder.FromKeys($"configmap \"{cm.Name}\"", data, cm.Items, cm.DefaultMode, cm.Optional == true);
            return Write(PluginDir(uid, "kubernetes.io~configmap", name), files, fsGroup, name);
        }
        if (v.Secret is { } secret)
        {
            var data = await ReadSecretAsync(pod, secret.SecretName ?? "", secret.Optional == true, ct).ConfigureAwait(false);
            var files = data is null ? [] : ProjectionBuilder.FromKeys($"secret \"{secret.SecretName}\"", data, secret.Items, secret.DefaultMode, secret.Optional == true);
            return Write(PluginDir(uid, "kubernetes.io~secret", name), files, fsGroup, name, pod);
        }
        if (v.DownwardAPI is { } downward)
        {
            var files = ProjectionBuilder.FromDownwardApi(pod, downward.Items, downward.DefaultMode, NodeAllocatable);
            return Write(PluginDir(uid, "kubernetes.io~downward-api", name), files, fsGroup, name, pod);
        }
        if (v.Projected is { } projected)
        {
            var files = await ProjectAsync(pod, projected, ct).ConfigureAwait(false);
            return Write(PluginDir(uid, "kubernetes.io~projected", name), files, fsGroup, name, pod);
        }
        if (v.HostPath is { } hostPath)
        {
            var path = hostPath.Path ?? throw new ArgumentException("hostPath.path is required");
            HostPathTypes.Check(path, hostPath.Type);
            return new SetUpVolume(path, false, Directory.Exists(path));
        }
        if (v.PersistentVolumeClaim is { } claim)
        {
            var path = await LocalPathOfClaimAsync(pod, claim.ClaimName ?? "", ct).ConfigureAwait(false);
            return new SetUpVolume(path, claim.ReadOnly == true, claim.ReadOnly != true);
        }
        throw new VolumeSetupException(name, "this volume type is not supported by Skiff's kubelet");
    }

    /// <summary>Writes the files; with <paramref name="inMemoryFor"/>, into a tmpfs first mounted for that pod's volume.</summary>
    private SetUpVolume Write(string dir, IReadOnlyList<FileProjection> files, int? fsGroup, string name, Pod? inMemoryFor = null)
    {
        if (inMemoryFor is not null && MemoryBackedVolumes) EnsureTmpfs(dir, inMemoryFor, name);
        if (new AtomicWriter(dir, fsGroup).Write(files))
            _log.LogInformation("Wrote {Count} files to volume {Volume} at {Dir}", files.Count, name, dir);
        // Upstream mounts these read-only whatever the volumeMount says.
        return new SetUpVolume(dir, true, false);
    }

    /// <summary>
    /// Mounts a tmpfs on <paramref name="dir"/> unless one is there already, sized as a medium Memory emptyDir without
    /// a sizeLimit (upstream's wrapper volume). Its root keeps tmpfs's 1777, as upstream's does. A directory that
    /// already holds files and is no mount (a volume an earlier Skiff wrote to disk, still bound into a running
    /// container) stays as it is: a tmpfs on top would hide it from future updates, not from the container.
    /// </summary>
    private void EnsureTmpfs(string dir, Pod pod, string name)
    {
        // A volume that holds files is set up already (on its tmpfs, or on disk as above): no need to read the mount
        // table on every resync. Only an empty or missing one may still need its tmpfs.
        if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any()) return;
        if (Posix.MountsUnder(dir).Contains(dir.TrimEnd('/'))) return;
        Directory.CreateDirectory(dir);
        var size = MemoryVolumeSize(NodeAllocatable.GetValueOrDefault("memory"), PodMemoryLimit(pod), null);
        Posix.MountTmpfs(dir, size);
        _log.LogDebug("Mounted tmpfs for volume {Volume} at {Dir} (size {Size})", name, dir, size?.ToString() ?? "unlimited");
    }

    /// <summary>
    /// The size of a medium Memory emptyDir's tmpfs, as upstream's calculateEmptyDirMemorySize: the node's allocatable
    /// memory, lowered to the pod's memory limit and then to the volume's sizeLimit where those are smaller (and
    /// positive). Null when none is known.
    /// </summary>
    public static long? MemoryVolumeSize(decimal? nodeAllocatable, long? podLimit, decimal? sizeLimit)
    {
        decimal? size = nodeAllocatable is > 0 ? nodeAllocatable : null;
        foreach (var candidate in new decimal?[] { podLimit, sizeLimit })
            if (candidate is > 0 && (size is null || candidate < size)) size = candidate;
        return size is { } s ? (long)Math.Ceiling(s) : null;
    }

    private void SetUpEmptyDir(string dir, EmptyDirVolumeSource source, int? fsGroup, Pod pod)
    {
        var created = !Directory.Exists(dir);
        Directory.CreateDirectory(dir);
        switch (source.Medium ?? "")
        {
            case "":
                break;
            case "Memory":
                if (!Posix.MountsUnder(dir).Contains(dir))
                {
                    var size = MemoryVolumeSize(NodeAllocatable.GetValueOrDefault("memory"), PodMemoryLimit(pod),
                        source.SizeLimit is { } limit ? QuantityValue.Parse(limit.Value) : null);
                    Posix.MountTmpfs(dir, size);
                    _log.LogInformation("Mounted tmpfs at {Dir} (size {Size})", dir, size?.ToString() ?? "unlimited");
                    created = true;
                }
                break;
            default:
                throw new ArgumentException($"emptyDir medium {source.Medium} is not supported");
        }
        if (created)
        {
            // World-writable as upstream, so any container user can use it; with fsGroup, the group's and inherited (setgid).
            File.SetUnixFileMode(dir, (UnixFileMode)0x1FF | (fsGroup is null ? 0 : UnixFileMode.SetGroup));
            if (fsGroup is { } g) Posix.ChangeGroup(dir, g);
        }
    }

    private async Task<List<FileProjection>> ProjectAsync(Pod pod, ProjectedVolumeSource projected, CancellationToken ct)
    {
        var files = new List<FileProjection>();
        var mode = projected.DefaultMode ?? ProjectionBuilder.DefaultMode;
        foreach (var source in projected.Sources ?? [])
        {
            if (source.ConfigMap is { } cm)
            {
                var data = await ReadConfigMapAsync(pod, cm.Name ?? "", cm.Optional == true, ct).ConfigureAwait(false);
                if (data is not null) files.AddRange(ProjectionBuilder.FromKeys($"configmap \"{cm.Name}\"", data, cm.Items, mode, cm.Optional == true));
            }
            else if (source.Secret is { } secret)
            {
                var data = await ReadSecretAsync(pod, secret.Name ?? "", secret.Optional == true, ct).ConfigureAwait(false);
                if (data is not null) files.AddRange(ProjectionBuilder.FromKeys($"secret \"{secret.Name}\"", data, secret.Items, mode, secret.Optional == true));
            }
            else if (source.DownwardAPI is { } downward)
                files.AddRange(ProjectionBuilder.FromDownwardApi(pod, downward.Items, mode, NodeAllocatable));
            else if (source.ServiceAccountToken is { } token)
            {
                var text = await _tokens.GetAsync(pod, token.Audience, token.ExpirationSeconds ?? DefaultTokenExpirationSeconds, ct).ConfigureAwait(false);
                files.Add(new FileProjection(token.Path ?? "token", Encoding.UTF8.GetBytes(text), mode));
            }
            else if (source.ClusterTrustBundle is { Optional: true }) { }
            else throw new ArgumentException("this projected volume source is not supported by Skiff's kubelet");
        }
        return files;
    }

    /// <summary>The ConfigMap's data; null when it is missing and optional. kube-root-ca.crt falls back to the cluster CA.</summary>
    private async Task<IReadOnlyDictionary<string, byte[]>?> ReadConfigMapAsync(Pod pod, string name, bool optional, CancellationToken ct)
    {
        var map = await _client.ConfigMaps.TryGetAsync(Namespace(pod), name, ct).ConfigureAwait(false);
        if (map is not null) return ProjectionBuilder.DataOf(map);
        // The root CA publisher may not have reached a brand-new namespace yet; the CA is the same one.
        if (name == RootCaConfigMap && _caPem.Length > 0)
            return new Dictionary<string, byte[]> { ["ca.crt"] = Encoding.UTF8.GetBytes(_caPem) };
        if (optional) return null;
        throw new ArgumentException($"configmap \"{name}\" not found");
    }

    private async Task<IReadOnlyDictionary<string, byte[]>?> ReadSecretAsync(Pod pod, string name, bool optional, CancellationToken ct)
    {
        var secret = await _client.Secrets.TryGetAsync(Namespace(pod), name, ct).ConfigureAwait(false);
        if (secret is not null) return ProjectionBuilder.DataOf(secret);
        if (optional) return null;
        throw new ArgumentException($"secret \"{name}\" not found");
    }

    /// <summary>The host directory of a claim's volume: the claim must be bound to a local or hostPath PersistentVolume.</summary>
    private async Task<string> LocalPathOfClaimAsync(Pod pod, string claimName, CancellationToken ct)
    {
        var claim = await _client.PersistentVolumeClaims.TryGetAsync(Namespace(pod), claimName, ct).ConfigureAwait(false)
            ?? throw new ArgumentException($"persistentvolumeclaim \"{claimName}\" not found");
        var volumeName = claim.Spec?.VolumeName;
        if (string.IsNullOrEmpty(volumeName) || claim.Status?.Phase is not (null or "Bound"))
            throw new ArgumentException($"persistentvolumeclaim \"{claimName}\" is not bound");
        var pv = await _client.PersistentVolumes.TryGetAsync(null, volumeName, ct).ConfigureAwait(false)
            ?? throw new ArgumentException($"persistentvolume \"{volumeName}\" not found");
        if (pv.Spec?.Local?.Path is { } local)
        {
            if (!Directory.Exists(local) && !File.Exists(local)) throw new ArgumentException($"local volume path {local} does not exist");
            return local;
        }
        if (pv.Spec?.HostPath is { } hostPath)
        {
            var path = hostPath.Path ?? throw new ArgumentException($"persistentvolume \"{volumeName}\" has no hostPath.path");
            HostPathTypes.Check(path, hostPath.Type);
            return path;
        }
        throw new ArgumentException($"persistentvolume \"{volumeName}\" is neither local nor hostPath, which is all Skiff's kubelet mounts");
    }

    private static IReadOnlyList<VolumeMount> MountsFor(Pod pod, IReadOnlyDictionary<string, SetUpVolume> volumes)
    {
        var mounts = new List<VolumeMount>();
        var containers = (pod.Spec?.InitContainers ?? []).Concat(pod.Spec?.Containers ?? []);
        foreach (var container in containers)
        {
            foreach (var vm in container.VolumeMounts ?? [])
            {
                var name = vm.Name ?? "";
                if (!volumes.TryGetValue(name, out var volume))
                    throw new VolumeSetupException(name, $"container {container.Name} mounts volume {name}, which the pod does not have");
                var subPath = vm.SubPath is { Length: > 0 } sp ? sp
                    : vm.SubPathExpr is { Length: > 0 } expr ? SubPaths.Expand(expr, pod, container) : null;
                var hostPath = volume.HostPath;
                if (subPath is not null)
                {
                    try { hostPath = SubPaths.Resolve(volume.HostPath, subPath, create: volume.Writable); }
                    catch (Exception e) when (e is ArgumentException or IOException)
                    {
                        throw new VolumeSetupException(name, e.Message, e);
                    }
                }
                mounts.Add(new VolumeMount(container.Name ?? "", hostPath, vm.MountPath ?? "", volume.ReadOnly || vm.ReadOnly == true, subPath));
            }
        }
        return mounts;
    }

    private string PluginDir(string uid, string plugin, string name) => Path.Combine(VolumesDir(uid), plugin, name);

    private static string Namespace(Pod pod) => pod.Metadata?.Namespace is { Length: > 0 } ns ? ns : "default";

    private static string RequireUid(Pod pod) =>
        pod.Metadata?.Uid is { Length: > 0 } uid && !uid.Contains('/') && !uid.StartsWith('.')
            ? uid : throw new ArgumentException("the pod has no usable metadata.uid");

    private static Dictionary<string, decimal> HostAllocatable()
    {
        var result = new Dictionary<string, decimal>(StringComparer.Ordinal) { ["cpu"] = Environment.ProcessorCount };
        if (ProcMemInfo.Read().TryGetValue("MemTotal", out var total)) result["memory"] = total;
        return result;
    }
}
