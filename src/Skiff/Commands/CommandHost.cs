using Microsoft.Extensions.Logging;
using Skiff.Client;

namespace Skiff.Commands;

/// <summary>Runs one API-client component from a kubeconfig with console logging until SIGTERM/SIGINT.</summary>
internal static class CommandHost
{
    public static async Task<int> RunAsync(string name, string kubeconfig, Func<KubeClient, ILoggerFactory, CancellationToken, Task> run, CancellationToken commandToken)
    {
        using var lifetime = new ProcessLifetime(commandToken);
        var loggers = lifetime.Loggers;
        KubeClient client;
        try { client = KubeClient.FromKubeconfig(kubeconfig); }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"skiff {name}: {e.Message}");
            return 2;
        }
        using (client)
        {
            loggers.CreateLogger(name).LogInformation("Running {Component} against {Server}", name, client.Connection.Server);
            try { await run(client, loggers, lifetime.Token); }
            catch (OperationCanceledException) when (lifetime.IsStopping) { }
        }
        return 0;
    }
}
