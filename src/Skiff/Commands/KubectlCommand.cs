using System.Diagnostics;

namespace Skiff.Commands;

/// <summary><c>skiff kubectl ARGS…</c>: the machine's kubectl with Skiff's admin kubeconfig.</summary>
public static class KubectlCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var kubectl = FindOnPath("kubectl");
        if (kubectl is null)
        {
            Console.Error.WriteLine("skiff kubectl: kubectl was not found on PATH");
            return 127;
        }
        var psi = new ProcessStartInfo(kubectl) { UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBECONFIG")) && !args.Any(a => a.StartsWith("--kubeconfig", StringComparison.Ordinal)))
        {
            var config = new[] { Paths.DefaultKubeconfig(Paths.DefaultDataDir), "/etc/skiff/skiff.yaml" }.FirstOrDefault(File.Exists);
            if (config is not null) psi.Environment["KUBECONFIG"] = config;
        }
        using var p = Process.Start(psi)!;
        // kubectl owns the terminal; Ctrl-C reaches it through the process group.
        Console.CancelKeyPress += (_, e) => e.Cancel = true;
        await p.WaitForExitAsync();
        return p.ExitCode;
    }

    public static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin").Split(':')
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
