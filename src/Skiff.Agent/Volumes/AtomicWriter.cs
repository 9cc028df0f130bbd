using System.Text;

namespace Skiff.Agent.Volumes;

/// <summary>
/// Writes a whole set of files into a volume directory so that a reader sees either the old set or the
/// new one, never a mix: upstream's AtomicWriter layout. The files live in a hidden, timestamped
/// directory (<c>..2026_01_02_03_04_05.123456789</c>); <c>..data</c> is a relative symlink to it, and each
/// top-level name the user sees is a symlink through <c>..data</c>. An update writes a new timestamped
/// directory, points <c>..data_tmp</c> at it, renames that over <c>..data</c> (the atomic step), fixes the
/// top-level links and removes the old directory. Nothing is written when the content is unchanged.
/// Not thread-safe for one directory: the volume manager serialises updates per volume.
/// </summary>
public sealed class AtomicWriter(string targetDir, int? fsGroup = null)
{
    public const string DataLink = "..data";
    private const string NewDataLink = "..data_tmp";
    private const int DirectoryMode = 0x1ED; // 0755

    /// <summary>Writes <paramref name="files"/> as the volume's complete content; returns whether anything changed.</summary>
    /// <exception cref="ArgumentException">A path is absolute, contains "..", starts with "..", or two files collide.</exception>
    public bool Write(IReadOnlyCollection<FileProjection> files)
    {
        foreach (var f in files) ValidatePath(f.Path);
        CheckCollisions(files);
        Directory.CreateDirectory(targetDir);

        var dataLink = System.IO.Path.Combine(targetDir, DataLink);
        var oldTsName = ReadLink(dataLink);
        var oldTsDir = oldTsName is null ? null : System.IO.Path.Combine(targetDir, oldTsName);
        if (oldTsDir is not null && Directory.Exists(oldTsDir) && SameContent(oldTsDir, files))
            return false;

        var tsName = ".." + DateTime.UtcNow.ToString("yyyy_MM_dd_HH_mm_ss.fffffff") + "." + Random.Shared.Next(100000, 999999);
        var tsDir = System.IO.Path.Combine(targetDir, tsName);
        Directory.CreateDirectory(tsDir);
        File.SetUnixFileMode(tsDir, (UnixFileMode)DirectoryMode);
        foreach (var f in files)
        {
            var full = System.IO.Path.Combine(tsDir, f.Path);
            var parent = System.IO.Path.GetDirectoryName(full)!;
            if (!Directory.Exists(parent))
            {
                Directory.CreateDirectory(parent);
                SetDirectoryModes(tsDir, parent);
            }
            File.WriteAllBytes(full, f.Data);
            File.SetUnixFileMode(full, (UnixFileMode)EffectiveMode(f.Mode));
            if (fsGroup is { } g) Posix.ChangeGroup(full, g);
        }

        var tmpLink = System.IO.Path.Combine(targetDir, NewDataLink);
        if (File.Exists(tmpLink) || Directory.Exists(tmpLink) || ReadLink(tmpLink) is not null) File.Delete(tmpLink);
        File.CreateSymbolicLink(tmpLink, tsName);
        Posix.Rename(tmpLink, dataLink);

        var wanted = files.Select(f => TopLevel(f.Path)).ToHashSet(StringComparer.Ordinal);
        foreach (var name in wanted)
        {
            var link = System.IO.Path.Combine(targetDir, name);
            if (ReadLink(link) is null) File.CreateSymbolicLink(link, System.IO.Path.Combine(DataLink, name));
        }
        foreach (var entry in Directory.EnumerateFileSystemEntries(targetDir))
        {
            var name = System.IO.Path.GetFileName(entry);
            if (name.StartsWith("..", StringComparison.Ordinal) || wanted.Contains(name)) continue;
            // Only our own links are removed; anything else in the directory is not ours to judge.
            if (ReadLink(entry) is { } target && target.StartsWith(DataLink + "/", StringComparison.Ordinal)) File.Delete(entry);
        }
        if (oldTsDir is not null && Directory.Exists(oldTsDir)) Directory.Delete(oldTsDir, recursive: true);
        return true;
    }

    /// <summary>Upstream's rules for a projected file's path.</summary>
    public static void ValidatePath(string path)
    {
        if (string.IsNullOrEmpty(path)) throw new ArgumentException("the path must not be empty");
        if (path.Length > 4096) throw new ArgumentException($"the path {path} is too long");
        if (path.StartsWith('/')) throw new ArgumentException($"the path {path} must be relative");
        if (path.StartsWith("..", StringComparison.Ordinal)) throw new ArgumentException($"the path {path} must not start with '..'");
        foreach (var part in path.Split('/'))
        {
            if (part == "..") throw new ArgumentException($"the path {path} must not contain '..'");
        }
    }

    private static void CheckCollisions(IReadOnlyCollection<FileProjection> files)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in files)
        {
            var norm = string.Join('/', f.Path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != "."));
            if (!paths.Add(norm)) throw new ArgumentException($"the path {f.Path} is given twice");
        }
        foreach (var p in paths)
        {
            // A file may not also be a directory of another file (a and a/b).
            var parts = p.Split('/');
            for (var i = 1; i < parts.Length; i++)
                if (paths.Contains(string.Join('/', parts[..i]))) throw new ArgumentException($"the path {p} is below the file {string.Join('/', parts[..i])}");
        }
    }

    private bool SameContent(string tsDir, IReadOnlyCollection<FileProjection> files)
    {
        var existing = Directory.EnumerateFiles(tsDir, "*", SearchOption.AllDirectories).Count();
        if (existing != files.Count) return false;
        foreach (var f in files)
        {
            var full = System.IO.Path.Combine(tsDir, f.Path);
            if (!File.Exists(full)) return false;
            if ((int)File.GetUnixFileMode(full) != EffectiveMode(f.Mode)) return false;
            if (!File.ReadAllBytes(full).AsSpan().SequenceEqual(f.Data)) return false;
        }
        return true;
    }

    /// <summary>With an fsGroup the group may read every file, as upstream's volume ownership does.</summary>
    private int EffectiveMode(int mode) => (fsGroup is null ? mode : mode | 0x20) & 0xFFF; // g+r (040)

    private static void SetDirectoryModes(string root, string dir)
    {
        for (var d = dir; d.Length > root.Length; d = System.IO.Path.GetDirectoryName(d)!)
            File.SetUnixFileMode(d, (UnixFileMode)DirectoryMode);
    }

    private static string TopLevel(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries)[0];

    private static string? ReadLink(string path)
    {
        try { return new FileInfo(path).LinkTarget; }
        catch (IOException) { return null; }
    }

    /// <summary>Renders bytes for tests and debugging.</summary>
    internal static string Describe(IEnumerable<FileProjection> files) =>
        string.Join(", ", files.Select(f => $"{f.Path}({Convert.ToString(f.Mode, 8)}, {Encoding.UTF8.GetString(f.Data)})"));
}
