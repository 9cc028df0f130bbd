using Microsoft.Extensions.Logging;
using Skiff.Client;

namespace Skiff.Commands;

/// <summary>Runs one API-client component from a kubeconfig with console logging until SIGTERM/SIGINT.</summary>
internal static class CommandHost
{
    public static async Task<int> RunAsync(string name, string kubeconfig, Func<KubeClient, ILoggerFactory, CancellationToken, Task> run, CancellationToken commandToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(commandToken);
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var loggers = LoggerFactory.Create(b => b
            .AddSimpleConsole(c => { c.SingleLine = true; c.TimestampFormat = "yyyy-MM-ddTHH:mm:ssZ "; c.UseUtcTimestamp = true; })
            .SetMinimumLevel(LogLevel.Information));
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
            try { await run(client, loggers, stop.Token); }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
        }
        return 0;
    }
}
