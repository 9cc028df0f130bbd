namespace Skiff.Agent.Tests.Support;

/// <summary>A test that drives real containerd, runc and CNI; those need root.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Environment.UserName != "root" && !IsRoot())
            Skip = "needs root: starts containerd, runc containers and a network bridge";
    }

    private static bool IsRoot()
    {
        try { return File.ReadAllLines("/proc/self/status").Any(l => l.StartsWith("Uid:") && l.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0"); }
        catch (IOException) { return false; }
    }
}
