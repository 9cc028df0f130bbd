using System.CommandLine;
using Skiff.Scheduler;

namespace Skiff.Commands;

/// <summary><c>skiff scheduler --kubeconfig FILE</c>: runs the scheduler out of process (leader-elected, so it can run beside the server's).</summary>
public static class SchedulerCommand
{
    private static readonly Option<string> Kubeconfig = new("--kubeconfig") { Description = "Kubeconfig of the scheduler's user (default $KUBECONFIG)" };
    private static readonly Option<string> SchedulerName = new("--scheduler-name") { Description = "The schedulerName this scheduler serves (default default-scheduler)" };
    private static readonly Option<bool> MostAllocated = new("--most-allocated") { Description = "Score with MostAllocated (pack nodes) instead of LeastAllocated" };

    public static Command Create()
    {
        var cmd = new Command("scheduler", "Run the scheduler against a cluster") { Kubeconfig, SchedulerName, MostAllocated };
        cmd.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(Kubeconfig) ?? Environment.GetEnvironmentVariable("KUBECONFIG");
            if (string.IsNullOrEmpty(path))
            {
                Console.Error.WriteLine("skiff scheduler: --kubeconfig (or $KUBECONFIG) is required");
                return 2;
            }
            var profile = new ProfileOptions
            {
                SchedulerName = parse.GetValue(SchedulerName) ?? SchedulerOptions.DefaultSchedulerName,
                ScoringStrategy = parse.GetValue(MostAllocated) ? Scheduler.Plugins.ScoringStrategy.MostAllocated : Scheduler.Plugins.ScoringStrategy.LeastAllocated,
            };
            var options = SchedulerOptions.Default with { Profiles = [profile] };
            var identity = $"{Environment.MachineName}_{Guid.NewGuid():N}";
            return await CommandHost.RunAsync("scheduler", path, (client, loggers, c) => new SchedulerHost(client, options, loggers, identity).RunAsync(c), ct);
        });
        return cmd;
    }
}
