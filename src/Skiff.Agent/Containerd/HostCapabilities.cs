using System.Globalization;

namespace Skiff.Agent.Containerd;

/// <summary>What the agent's own process may do, read from <c>/proc/self/status</c>.</summary>
public static class HostCapabilities
{
    private const int CapSysResource = 24;

    /// <summary>
    /// Whether this process holds CAP_SYS_RESOURCE, which lowering a process's oom_score_adj
    /// needs. Some container hosts drop it even for root; then the pause container's -998
    /// (and Guaranteed pods' -997) cannot be applied and runc fails to start them.
    /// </summary>
    public static bool CanLowerOomScoreAdj(string statusPath = "/proc/self/status")
    {
        try
        {
            var line = File.ReadLines(statusPath).FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
            if (line is null) return true;
            var mask = ulong.Parse(line["CapEff:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            return (mask & (1UL << CapSysResource)) != 0;
        }
        catch (IOException)
        {
            return true;
        }
    }
}
