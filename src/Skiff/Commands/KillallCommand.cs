using System.CommandLine;
using Microsoft.Extensions.Logging;

namespace Skiff.Commands;

/// <summary><c>skiff killall</c>: stops skiff, every pod and containerd of a data dir, and cleans up mounts and the bridge.</summary>
public static class KillallCommand
{
    private static readonly Option<string> DataDir = new("--data-dir", "-d") { Description = "(data) Folder holding the state to stop (default /var/lib/skiff as root, ~/.skiff otherwise)" };

    public static Command Create()
    {
        var cmd = new Command("killall", "Stop skiff, all pods and containerd, and clean up mounts, network namespaces and the pod bridge");
        cmd.Options.Add(DataDir);
        cmd.SetAction(async (parse, ct) =>
        {
            var dataDir = Path.GetFullPath(parse.GetValue(DataDir) ?? Paths.DefaultDataDir);
            using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(LogLevel.Information));
            await StopServiceAsync(dataDir, loggers.CreateLogger("killall"), ct);
            await new Skiff.Agent.NodeCleanup(new Skiff.Agent.AgentOptions { DataDir = dataDir }, loggers).RunAsync(ct);
            return 0;
        });
        return cmd;
    }

    /// <summary>
    /// What keeps skiff running must stop first, or it starts skiff again (k3s's killall stops its units too):
    /// the systemd unit install.sh writes, or the supervisor loop whose pid is in &lt;data-dir&gt;/supervisor.pid.
    /// </summary>
    private static async Task StopServiceAsync(string dataDir, ILogger log, CancellationToken ct)
    {
        if (File.Exists("/etc/systemd/system/skiff.service") && Directory.Exists("/run/systemd/system")
            && dataDir == Path.GetFullPath(Paths.DefaultDataDir))
        {
            using var systemctl = System.Diagnostics.Process.Start("systemctl", ["stop", "skiff"]);
            await systemctl.WaitForExitAsync(ct);
            log.LogInformation("Stopped the skiff service");
        }
        var pidFile = Path.Combine(dataDir, "supervisor.pid");
        if (!File.Exists(pidFile) || !int.TryParse((await File.ReadAllTextAsync(pidFile, ct)).Trim(), out var pid)) return;
        try
        {
            using var supervisor = System.Diagnostics.Process.GetProcessById(pid);
            // Its TERM trap stops the server it runs, then the loop exits (.NET's Kill would send SIGKILL).
            Terminate(pid, 15);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(TimeSpan.FromSeconds(15));
            try { await supervisor.WaitForExitAsync(wait.Token); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested) { supervisor.Kill(entireProcessTree: true); }
            log.LogInformation("Stopped the skiff supervisor (pid {Pid})", pid);
        }
        catch (ArgumentException) { } // not running
        File.Delete(pidFile);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Terminate(int pid, int signal);
}
