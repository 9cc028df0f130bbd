using System.Runtime.InteropServices;

namespace Skiff.Agent.Containerd;

/// <summary>POSIX signals to processes by id; .NET's Process only sends SIGKILL.</summary>
internal static class Signals
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int sig);

    /// <summary>False if the process does not exist (any more).</summary>
    public static bool Send(int pid, int signal) => SysKill(pid, signal) == 0;

    public static bool IsAlive(int pid) => SysKill(pid, 0) == 0 || Marshal.GetLastPInvokeError() == 1 /* EPERM: exists */;

    /// <summary>The process's command line, NUL-separated arguments joined by spaces; null if it is gone.</summary>
    public static string? CommandLine(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').TrimEnd(); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
