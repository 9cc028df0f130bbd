using System.Diagnostics;

namespace Skiff.E2E;

/// <summary>Runs a program to its end and returns its exit code with stdout then stderr.</summary>
public static class Processes
{
    /// <summary>
    /// Past <paramref name="timeout"/> the program is killed; that is a <see cref="TimeoutException"/> unless
    /// <paramref name="killAtTimeout"/> (a program that never ends by itself, such as kubectl attach).
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout, bool killAtTimeout = false)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            p.Kill(true);
            await p.WaitForExitAsync();
            if (!killAtTimeout) throw new TimeoutException($"{file} {string.Join(' ', psi.ArgumentList)} did not finish: {await stderr}");
        }
        return (p.ExitCode, await stdout + await stderr);
    }
}
