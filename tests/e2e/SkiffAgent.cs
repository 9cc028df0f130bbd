using System.Diagnostics;
using System.Text;

namespace Skiff.E2E;

/// <summary>
/// A real <c>skiff agent</c> process joined to a <see cref="SkiffServer"/> with its token: its own data dir (with the
/// air-gap test images), node name, bridge and a free kubelet port. <see cref="DisposeAsync"/> stops it and runs
/// <c>skiff killall</c> on its data dir (pods, mounts, bridge, containerd), then removes the dir.
/// </summary>
public sealed class SkiffAgent : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private Process? _process;
    private bool _disposed;

    public SkiffAgent(SkiffServer server) => Server = server;

    public SkiffServer Server { get; }
    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), "skiff-e2e-agent-" + Guid.NewGuid().ToString("N")[..10]);
    public string NodeName { get; init; } = "agent-" + Guid.NewGuid().ToString("N")[..6];
    public string Bridge { get; } = "ska" + Guid.NewGuid().ToString("N")[..8];
    /// <summary>The token argument; null: <c>--token-file</c> with the server's token file.</summary>
    public string? Token { get; init; }
    /// <summary>More flags for <c>skiff agent</c>.</summary>
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];
    public string Log { get { lock (_log) return _log.ToString(); } }
    public Process? Process => _process;

    /// <summary>Starts the agent; returns at once (the join and registration are the test's to wait for).</summary>
    public void Start()
    {
        Directory.CreateDirectory(DataDir);
        SkiffServer.CopyTestImages(DataDir);
        var config = Path.Combine(DataDir, "config.yaml");
        if (!File.Exists(config)) File.WriteAllText(config, "");
        var psi = new ProcessStartInfo(SkiffServer.Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "agent", "--server", $"https://127.0.0.1:{Server.Port}", "--data-dir", DataDir, "--node-name", NodeName,
                     "--cni-bridge", Bridge, "--kubelet-port", "0", "--config", config })
            psi.ArgumentList.Add(a);
        foreach (var a in SkiffServer.OfflineRegistries(DataDir)) psi.ArgumentList.Add(a);
        foreach (var a in ExtraArgs) psi.ArgumentList.Add(a);
        if (Token is null) { psi.ArgumentList.Add("--token-file"); psi.ArgumentList.Add(Path.Combine(Server.DataDir, "server", "token")); }
        else { psi.ArgumentList.Add("--token"); psi.ArgumentList.Add(Token); }
        _process?.Dispose();
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Starts the agent and waits for its node to be Ready; fails with the agent's log if it exits first.</summary>
    public async Task StartAndWaitReadyAsync()
    {
        Start();
        await Node.WaitAsync(async () => _process!.HasExited || await Node.NodeReadyAsync(Server, NodeName), TimeSpan.FromSeconds(90),
            $"node {NodeName} to join and be Ready", Server);
        Xunit.Assert.False(_process!.HasExited, $"the agent exited:\n{Log}");
    }

    /// <summary>Stops the agent as a service manager would (SIGTERM) and waits for it; its pods, data dir and images stay, for a <see cref="Start"/> again.</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } process) return;
        var (code, output) = await Processes.RunAsync("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
        Xunit.Assert.True(code == 0, output);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
    }

    /// <summary>Waits for the process to exit by itself (an agent that is refused); its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process!.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: false);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        var killall = await SkiffServer.RunKillallAsync(DataDir);
        lock (_log) _log.AppendLine(killall);
        try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
