using System.Diagnostics;

namespace Skiff.Agent.Tests.Support;

/// <summary>Host-side helpers for tests that start real runtimes: run a command, and clean up after them.</summary>
public static class Host
{
    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Kills every process whose command line mentions <paramref name="marker"/> (shims left behind).</summary>
    public static void KillProcessesMentioning(string marker)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            string cmdline;
            try { cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' '); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            if (!cmdline.Contains(marker, StringComparison.Ordinal)) continue;
            try { Process.GetProcessById(pid).Kill(); }
            catch (ArgumentException) { }
            catch (InvalidOperationException) { }
        }
    }

    /// <summary>Mount points at or under <paramref name="root"/>, deepest first.</summary>
    public static IReadOnlyList<string> MountsUnder(string root) =>
        File.ReadAllLines("/proc/self/mountinfo")
            .Select(line => line.Split(' ')[4].Replace("\\040", " "))
            .Where(m => m == root || m.StartsWith(root + "/", StringComparison.Ordinal))
            .Distinct()
            .OrderByDescending(m => m.Length)
            .ToList();

    public static async Task UnmountAllUnderAsync(string root)
    {
        foreach (var mount in MountsUnder(root)) await RunAsync("umount", "-l", mount);
    }

    public static async Task DeleteLinkAsync(string name)
    {
        if (Directory.Exists("/sys/class/net/" + name)) await RunAsync("ip", "link", "del", name);
    }
}
