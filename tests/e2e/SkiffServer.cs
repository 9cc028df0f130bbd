using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Skiff.E2E;

/// <summary>
/// A real <c>skiff server</c> process in a temporary data dir on a free loopback port, with its
/// own kubeconfig. Start with <see cref="StartAsync"/>; <see cref="DisposeAsync"/> stops it and
/// removes the data dir. Output is kept for failure messages.
/// </summary>
public sealed class SkiffServer : IAsyncDisposable
{
    private Process? _process;
    private readonly StringBuilder _log = new();
    private readonly bool _ownsDataDir;

    public SkiffServer(string? dataDir = null, int? port = null)
    {
        _ownsDataDir = dataDir is null;
        DataDir = dataDir ?? Path.Combine(Path.GetTempPath(), "skiff-e2e-" + Guid.NewGuid().ToString("N")[..10]);
        Port = port ?? FreePort();
        Kubeconfig = Path.Combine(DataDir, "kubeconfig.yaml");
    }

    public string DataDir { get; }
    public int Port { get; }
    public string Kubeconfig { get; }
    public string ConfigFile => Path.Combine(DataDir, "config.yaml");
    public string Log { get { lock (_log) return _log.ToString(); } }
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The skiff binary: $SKIFF_BIN, or the Release build output of src/Skiff.</summary>
    public static string Binary
    {
        get
        {
            var env = System.Environment.GetEnvironmentVariable("SKIFF_BIN");
            if (!string.IsNullOrEmpty(env)) return env;
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Skiff.sln"))) dir = dir.Parent;
            if (dir is null) throw new InvalidOperationException("cannot find the repository root (Skiff.sln)");
            foreach (var cfg in new[] { "Release", "Debug" })
            {
                var p = Path.Combine(dir.FullName, "src", "Skiff", "bin", cfg, "net10.0", "linux-x64", "skiff");
                if (File.Exists(p)) return p;
            }
            throw new InvalidOperationException("skiff is not built: run dotnet build -c Release first");
        }
    }

    public async Task StartAsync(TimeSpan? timeout = null)
    {
        Directory.CreateDirectory(DataDir);
        // An explicit (empty unless a test wrote it) config file, so the machine's /etc/skiff/config.yaml never leaks in.
        if (!File.Exists(ConfigFile)) await File.WriteAllTextAsync(ConfigFile, "");
        var psi = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "server", "--data-dir", DataDir, "--bind-address", "127.0.0.1", "--https-listen-port", Port.ToString(),
                     "--write-kubeconfig", Kubeconfig, "--disable-agent", "--config", ConfigFile })
            psi.ArgumentList.Add(a);
        foreach (var a in ExtraArgs) psi.ArgumentList.Add(a);
        foreach (var (k, v) in Environment) psi.Environment[k] = v;
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"skiff server exited with {_process.ExitCode}:\n{Log}");
            if (File.Exists(Kubeconfig) && Log.Contains("Skiff is ready"))
            {
                var r = await Kubectl.RunAsync(this, ["get", "--raw", "/readyz"]);
                if (r.ExitCode == 0) return;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"skiff server did not become ready:\n{Log}");
    }

    /// <summary>Stops the process with SIGKILL (a crash) or SIGTERM, and waits for it.</summary>
    public async Task StopAsync(bool kill = false)
    {
        if (_process is null || _process.HasExited) return;
        if (kill) _process.Kill(entireProcessTree: true);
        else Signal(_process.Id, 15);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try { await _process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { _process.Kill(true); await _process.WaitForExitAsync(); }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Signal(int pid, int sig);

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
        if (_ownsDataDir)
        {
            try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
