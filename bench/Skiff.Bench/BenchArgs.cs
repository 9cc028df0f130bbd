using System.Globalization;

namespace Skiff.Bench;

/// <summary>"--name value" options of the API benchmarks.</summary>
internal static class BenchArgs
{
    public const string DefaultSkiff = "src/Skiff/bin/Release/net10.0/linux-x64/skiff";

    public static int Int(string[] args, string name, int fallback) =>
        int.Parse(String(args, name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    public static double Double(string[] args, string name, double fallback) =>
        double.Parse(String(args, name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    public static string String(string[] args, string name, string fallback)
    {
        var i = Array.LastIndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    /// <summary>Every value of a repeatable option, in order.</summary>
    public static List<string> All(string[] args, string name)
    {
        var values = new List<string>();
        for (var i = 0; i + 1 < args.Length; i++)
            if (args[i] == name) values.Add(args[++i]);
        return values;
    }

    /// <summary>The skiff binary: --skiff, else the Release build under the repository root.</summary>
    public static string SkiffBinary(string[] args)
    {
        var explicitPath = String(args, "--skiff", "");
        if (explicitPath.Length > 0) return Path.GetFullPath(explicitPath);
        // `dotnet run --project bench/Skiff.Bench` runs from the caller's directory; also look
        // upwards from the bench's own output, so it works from anywhere in the worktree.
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, DefaultSkiff);
                if (File.Exists(candidate)) return candidate;
            }
        }
        return Path.GetFullPath(DefaultSkiff);
    }
}
