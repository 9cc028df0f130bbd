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
            await new Skiff.Agent.NodeCleanup(new Skiff.Agent.AgentOptions { DataDir = dataDir }, loggers).RunAsync(ct);
            return 0;
        });
        return cmd;
    }
}
