using System.CommandLine;
using Skiff.Commands;

namespace Skiff;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        Runtime.StartupPages.Release();
        // kubectl's arguments are kubectl's: pass them through untouched.
        if (args.Length > 0 && args[0] == "kubectl") return await KubectlCommand.RunAsync(args[1..]);
        if (args is ["--version"] or ["-v"] or ["version"])
        {
            Console.WriteLine($"skiff version v{ApiServer.VersionInfo.SkiffVersion} (kubernetes {ApiServer.VersionInfo.KubernetesVersion})");
            Console.WriteLine($"dotnet version {Environment.Version}");
            return 0;
        }
        var root = new RootCommand("Skiff: a lightweight Kubernetes distribution in one binary");
        root.Subcommands.Add(ServerCommand.Create());
        root.Subcommands.Add(AgentCommand.Create());
        root.Subcommands.Add(KillallCommand.Create());
        root.Subcommands.Add(SchedulerCommand.Create());
        root.Subcommands.Add(SimNodesCommand.Create());
        root.Subcommands.Add(new Command("kubectl", "Run kubectl with Skiff's admin kubeconfig (arguments are passed to kubectl)"));
        return await root.Parse(args).InvokeAsync();
    }
}
