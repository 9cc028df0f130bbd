using System.Text.RegularExpressions;
using Skiff.Api.Models.Core.V1;

namespace Skiff.Agent.Volumes;

/// <summary>
/// volumeMounts[].subPath and subPathExpr: validation (relative, no "..") and resolution inside the
/// volume, where every existing component is resolved through its symlinks and must stay inside the
/// volume's real path, so a link planted in a writable volume cannot expose the host. Missing directories
/// are created one level at a time after their parent was checked. Stateless.
/// </summary>
public static partial class SubPaths
{
    /// <exception cref="ArgumentException">The sub path is absolute or has a ".." component.</exception>
    public static void Validate(string subPath)
    {
        if (subPath.StartsWith('/')) throw new ArgumentException($"subPath {subPath} must be a relative path");
        if (subPath.Split('/').Any(p => p == "..")) throw new ArgumentException($"subPath {subPath} must not contain '..'");
    }

    /// <summary>The real host path of <paramref name="subPath"/> inside <paramref name="volumeRoot"/>.</summary>
    /// <param name="create">Create missing directories (a writable volume); otherwise a missing path is an error.</param>
    public static string Resolve(string volumeRoot, string subPath, bool create)
    {
        Validate(subPath);
        var root = Posix.RealPath(volumeRoot) ?? throw new ArgumentException($"volume path {volumeRoot} does not exist");
        var current = root;
        foreach (var part in subPath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            var next = Path.Combine(current, part);
            var real = Posix.RealPath(next);
            if (real is null)
            {
                if (!create) throw new ArgumentException($"subPath {subPath} does not exist in the volume");
                if (new FileInfo(next).LinkTarget is not null)
                    throw new ArgumentException($"subPath {subPath} goes through a dangling symlink");
                Directory.CreateDirectory(next);
                real = Posix.RealPath(next) ?? throw new IOException($"cannot create {next}");
            }
            if (!Inside(root, real)) throw new ArgumentException($"subPath {subPath} resolves to {real}, outside the volume");
            current = real;
        }
        return current;
    }

    /// <summary>Expands $(VAR) in subPathExpr from the container's environment (literal values and pod fields).</summary>
    public static string Expand(string expression, Pod pod, Container container)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in container.Env ?? [])
        {
            if (e.Name is null) continue;
            if (e.Value is not null) env[e.Name] = e.Value;
            else if (e.ValueFrom?.FieldRef?.FieldPath is { } field) env[e.Name] = DownwardApi.Field(pod, field);
        }
        // Upstream's expansion: $(VAR) from the map, $$ escapes, unknown references stay as written.
        return Reference().Replace(expression, m =>
            m.Value == "$$" ? "$" : env.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);
    }

    private static bool Inside(string root, string path) =>
        path == root || path.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal);

    [GeneratedRegex(@"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.\-]*)\)")]
    private static partial Regex Reference();
}
