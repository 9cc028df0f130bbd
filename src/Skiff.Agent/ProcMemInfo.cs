using System.Globalization;

namespace Skiff.Agent;

/// <summary>
/// /proc/meminfo as a table of its fields ("MemTotal", "Inactive(file)", ...) in bytes: "kB" values are multiplied
/// by 1024, unitless ones (the HugePages counts) are kept as they are. Stateless; thread-safe.
/// </summary>
public static class ProcMemInfo
{
    public const string File = "/proc/meminfo";

    public static IReadOnlyDictionary<string, long> Parse(string text)
    {
        var fields = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var parts = line.Split(':', 2);
            if (parts.Length != 2) continue;
            var value = parts[1].Trim();
            var kb = value.EndsWith(" kB", StringComparison.Ordinal);
            if (long.TryParse(kb ? value[..^3].TrimEnd() : value, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
                fields[parts[0].Trim()] = kb ? v * 1024 : v;
        }
        return fields;
    }

    /// <summary>This machine's fields; empty when /proc/meminfo cannot be read.</summary>
    public static IReadOnlyDictionary<string, long> Read()
    {
        try { return Parse(System.IO.File.ReadAllText(File)); }
        catch (IOException) { return new Dictionary<string, long>(); }
    }
}
