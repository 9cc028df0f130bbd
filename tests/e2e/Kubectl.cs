using System.Diagnostics;

namespace Skiff.E2E;

public sealed record CommandResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>Runs the machine's real kubectl against a test server.</summary>
public static class Kubectl
{
    public static async Task<CommandResult> RunAsync(SkiffServer server, IEnumerable<string> args, string? stdin = null,
        IReadOnlyDictionary<string, string>? env = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo("kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("--kubeconfig");
        psi.ArgumentList.Add(server.Kubeconfig);
        foreach (var a in args) psi.ArgumentList.Add(a);
        // kubectl keeps a discovery cache under $HOME; give each server its own.
        psi.Environment["HOME"] = Path.Combine(server.DataDir, "home");
        psi.Environment["KUBECTL_EXTERNAL_DIFF"] = "";
        // kubectl edit leaves its temp copies behind on failure; keep them in the test data dir.
        psi.Environment["TMPDIR"] = server.DataDir;
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        if (stdin is not null)
        {
            await p.StandardInput.WriteAsync(stdin);
            p.StandardInput.Close();
        }
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            p.Kill(true);
            await p.WaitForExitAsync();
        }
        return new CommandResult(p.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs kubectl and fails the test with its output unless it exits 0.</summary>
    public static async Task<string> OkAsync(SkiffServer server, params string[] args)
    {
        var r = await RunAsync(server, args);
        Assert.True(r.ExitCode == 0, $"kubectl {string.Join(' ', args)} failed: {r}");
        return r.Stdout;
    }

    public static async Task<string> OkWithInputAsync(SkiffServer server, string stdin, params string[] args)
    {
        var r = await RunAsync(server, args, stdin);
        Assert.True(r.ExitCode == 0, $"kubectl {string.Join(' ', args)} failed: {r}");
        return r.Stdout;
    }
}
