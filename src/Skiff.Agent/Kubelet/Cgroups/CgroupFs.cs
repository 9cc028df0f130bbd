namespace Skiff.Agent.Kubelet.Cgroups;

/// <summary>One mounted cgroup hierarchy: a v1 hierarchy with its controllers, or the v2 (unified) one.</summary>
public sealed record CgroupMount(string MountPoint, bool IsV2, IReadOnlyList<string> Controllers);

/// <summary>
/// The machine's cgroup hierarchies as the process sees them (from /proc/self/mountinfo), and the file operations
/// on cgroup paths ("/kubepods/burstable/pod…") that the pod cgroups need: create a path in the hierarchies that
/// hold given controllers, write a control file, and remove a path with what runc left under it. Cgroup v2 when
/// the unified hierarchy is mounted at /sys/fs/cgroup itself (runc's test); otherwise v1, whose cpu and memory
/// hierarchies are written, while every hierarchy is cleaned (runc creates a container's path in all of them).
/// Only hierarchies mounted at their root are used: a bind-mounted sub-cgroup has other paths. Thread-safe
/// (stateless after construction).
/// </summary>
public sealed class CgroupFs
{
    public const string DefaultMountRoot = "/sys/fs/cgroup";

    private readonly Action<string> _removeDirectory;

    /// <param name="removeDirectory">rmdir(2) of one cgroup (the default); tests on plain directories pass their own.</param>
    public CgroupFs(IReadOnlyList<CgroupMount> mounts, bool isV2, Action<string>? removeDirectory = null)
    {
        Mounts = mounts;
        IsV2 = isV2;
        _removeDirectory = removeDirectory ?? (dir => Directory.Delete(dir));
    }

    public IReadOnlyList<CgroupMount> Mounts { get; }
    public bool IsV2 { get; }

    /// <summary>From mountinfo lines; <paramref name="unifiedAt"/> is where a v2-only machine mounts its hierarchy.</summary>
    public static CgroupFs FromMountInfo(IEnumerable<string> lines, string unifiedAt = DefaultMountRoot)
    {
        var mounts = new List<CgroupMount>();
        foreach (var line in lines)
        {
            // id parent major:minor root mount-point options [optional...] - fstype source super-options
            var fields = line.Split(' ');
            var dash = Array.IndexOf(fields, "-");
            if (dash < 5 || fields.Length < dash + 4) continue;
            var type = fields[dash + 1];
            if ((type != "cgroup" && type != "cgroup2") || fields[3] != "/") continue;
            var mountPoint = Unescape(fields[4]);
            if (type == "cgroup2")
                mounts.Add(new CgroupMount(mountPoint, true, []));
            else
            {
                var controllers = fields[dash + 3].Split(',')
                    .Where(o => o is not ("rw" or "ro") && !o.StartsWith("name=", StringComparison.Ordinal) && !o.Contains('=')
                        && o is not ("noprefix" or "clone_children" or "xattr" or "cpuset_v2_mode"))
                    .ToList();
                mounts.Add(new CgroupMount(mountPoint, false, controllers));
            }
        }
        var v2 = mounts.Any(m => m.IsV2 && m.MountPoint == unifiedAt);
        if (v2)
        {
            var root = mounts.First(m => m.IsV2 && m.MountPoint == unifiedAt);
            var available = ReadControllers(Path.Combine(root.MountPoint, "cgroup.controllers"));
            mounts = [root with { Controllers = available }];
        }
        return new CgroupFs(mounts.DistinctBy(m => m.MountPoint).ToList(), v2);
    }

    public static CgroupFs Detect() => FromMountInfo(File.ReadLines("/proc/self/mountinfo"));

    /// <summary>The hierarchy that holds <paramref name="controller"/>, if one does.</summary>
    public CgroupMount? For(string controller) => Mounts.FirstOrDefault(m => m.Controllers.Contains(controller));

    /// <summary>The directory of cgroup <paramref name="path"/> in <paramref name="mount"/>.</summary>
    public static string Dir(CgroupMount mount, string path) => Path.Combine(mount.MountPoint, path.TrimStart('/'));

    /// <summary>
    /// Creates <paramref name="path"/> in <paramref name="mount"/>. In v2, first enables <paramref name="controllers"/>
    /// in every ancestor's cgroup.subtree_control (a controller's files exist in a cgroup only then), as runc does.
    /// </summary>
    public void Create(CgroupMount mount, string path, IReadOnlyCollection<string> controllers)
    {
        if (mount.IsV2)
        {
            var wanted = controllers.Where(mount.Controllers.Contains).ToList();
            var current = mount.MountPoint;
            foreach (var part in path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                EnableControllers(current, wanted);
                current = Path.Combine(current, part);
                Directory.CreateDirectory(current);
            }
        }
        else Directory.CreateDirectory(Dir(mount, path));
    }

    public static void Write(CgroupMount mount, string path, string file, string value) =>
        File.WriteAllText(Path.Combine(Dir(mount, path), file), value);

    /// <summary>
    /// Removes <paramref name="path"/> from every hierarchy, deepest first (a container's cgroup runc did not delete
    /// goes with it). True when it is gone everywhere; false when a cgroup still holds processes (the kernel refuses).
    /// </summary>
    public bool Remove(string path, out string? error)
    {
        error = null;
        foreach (var mount in Mounts)
        {
            var dir = Dir(mount, path);
            if (!Directory.Exists(dir)) continue;
            try
            {
                foreach (var child in Directory.EnumerateDirectories(dir, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length))
                    _removeDirectory(child);
                _removeDirectory(dir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error = $"{dir}: {e.Message}";
            }
        }
        return error is null;
    }

    /// <summary>Removes <paramref name="path"/> where it has no children and no processes; leaves it elsewhere.</summary>
    public void RemoveIfEmpty(string path)
    {
        foreach (var mount in Mounts)
        {
            var dir = Dir(mount, path);
            if (!Directory.Exists(dir)) continue;
            try { _removeDirectory(dir); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    private static void EnableControllers(string dir, IReadOnlyList<string> controllers)
    {
        var enabled = ReadControllers(Path.Combine(dir, "cgroup.subtree_control"));
        var missing = controllers.Where(c => !enabled.Contains(c)).ToList();
        if (missing.Count > 0)
            File.WriteAllText(Path.Combine(dir, "cgroup.subtree_control"), string.Join(' ', missing.Select(c => "+" + c)));
    }

    private static List<string> ReadControllers(string file)
    {
        try { return [.. File.ReadAllText(file).Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries)]; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    private static string Unescape(string s) => s.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal);
}
