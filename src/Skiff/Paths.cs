namespace Skiff;

/// <summary>Skiff's default locations (k3s-compatible layout, under skiff names).</summary>
public static class Paths
{
    public static bool IsRoot => Environment.UserName == "root" || geteuid() == 0;

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = false)]
    private static extern uint geteuid();

    public static string DefaultDataDir => IsRoot ? "/var/lib/skiff"
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".skiff");

    public const string DefaultConfigFile = "/etc/skiff/config.yaml";

    /// <summary>Where the server writes the admin kubeconfig unless told otherwise.</summary>
    public static string DefaultKubeconfig(string dataDir) => IsRoot ? "/etc/skiff/skiff.yaml" : Path.Combine(dataDir, "skiff.yaml");
}
