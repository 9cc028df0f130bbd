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
    private bool _disposed;

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
    /// <summary>The running server's process id.</summary>
    public int ProcessId => _process is { HasExited: false } p ? p.Id : throw new InvalidOperationException("the server is not running");
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Run the node agent too (real containerd, runc and CNI). Off by default: most tests need only the control
    /// plane. With it, the server gets the air-gap test images, its own bridge and its own cluster CIDR (so
    /// servers of test classes running in parallel never share a network), and disposal runs
    /// <c>skiff killall</c> on its data dir to remove pods, mounts, the bridge and containerd.
    /// </summary>
    public bool WithAgent { get; init; }

    /// <summary>The node name the agent registers (with <see cref="WithAgent"/>).</summary>
    public string NodeName { get; } = "node-" + Guid.NewGuid().ToString("N")[..6];

    /// <summary>This server's cluster CIDR: a /16 of 10.0.0.0/8 away from the defaults and the agent tests' range.</summary>
    public string ClusterCidr { get; } = $"10.{Random.Shared.Next(100, 250)}.0.0/16";

    public string Bridge { get; } = "skf" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Runs <c>skiff</c> with <paramref name="args"/>, which it must refuse: a non-zero exit and <paramref name="message"/> in its output.</summary>
    public static async Task AssertRefusedAsync(IReadOnlyList<string> args, string message)
    {
        var (code, output) = await Processes.RunAsync(Binary, args, TimeSpan.FromSeconds(30));
        Xunit.Assert.NotEqual(0, code);
        Xunit.Assert.Contains(message, output);
    }

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
                     "--write-kubeconfig", Kubeconfig, "--config", ConfigFile })
            psi.ArgumentList.Add(a);
        if (WithAgent)
        {
            CopyTestImages(DataDir);
            foreach (var a in new[] { "--node-name", NodeName, "--cluster-cidr", ClusterCidr, "--cni-bridge", Bridge, "--kubelet-port", "0" }) psi.ArgumentList.Add(a);
            foreach (var a in OfflineRegistries(DataDir)) psi.ArgumentList.Add(a);
        }
        else psi.ArgumentList.Add("--disable-agent");
        foreach (var a in ExtraArgs) psi.ArgumentList.Add(a);
        foreach (var (k, v) in Environment) psi.Environment[k] = v;
        var mark = Log.Length;
        _process?.Dispose();
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"skiff server exited with {_process.ExitCode}:\n{Log}");
            if (File.Exists(Kubeconfig) && Log[mark..].Contains("Skiff is ready"))
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

    /// <summary>out/images of the repository (scripts/build-test-images.sh).</summary>
    public static string TestImagesDir
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Skiff.sln"))) dir = dir.Parent;
            var images = Path.Combine(dir?.FullName ?? ".", "out", "images");
            if (!File.Exists(Path.Combine(images, "busybox.tar")))
                throw new InvalidOperationException("the test images are not built: run scripts/build-test-images.sh");
            return images;
        }
    }

    /// <summary>Puts the air-gap test images where an agent with <paramref name="dataDir"/> imports them.</summary>
    /// <summary>
    /// Agent flags that keep image pulls on loopback: Docker Hub is mirrored to a closed port with its own endpoint
    /// off, so a pull (an image :latest is pulled every time) fails at once with "connection refused" and the
    /// imported copy is used; no test sends a request or a DNS query beyond the machine.
    /// </summary>
    public static string[] OfflineRegistries(string dataDir)
    {
        var file = Path.Combine(dataDir, "registries.yaml");
        File.WriteAllText(file, "mirrors:\n  docker.io:\n    endpoint:\n      - \"http://127.0.0.1:1\"\n");
        return ["--private-registry", file, "--disable-default-registry-endpoint"];
    }

    public static void CopyTestImages(string dataDir)
    {
        var images = Path.Combine(dataDir, "agent", "images");
        Directory.CreateDirectory(images);
        foreach (var archive in Directory.EnumerateFiles(TestImagesDir, "*.tar"))
        {
            var target = Path.Combine(images, Path.GetFileName(archive));
            if (!File.Exists(target)) File.Copy(archive, target);
        }
    }

    /// <summary>Runs <c>skiff killall</c> on this server's data dir (stops the server too).</summary>
    public async Task KillallAsync()
    {
        var text = await RunKillallAsync(DataDir);
        lock (_log) _log.AppendLine(text);
    }

    /// <summary>Runs <c>skiff killall</c> on <paramref name="dataDir"/>; returns what it printed.</summary>
    public static async Task<string> RunKillallAsync(string dataDir) =>
        (await Processes.RunAsync(Binary, ["killall", "--data-dir", dataDir], TimeSpan.FromSeconds(90), killAtTimeout: true)).Output;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Signal(int pid, int sig);

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>Stops the server (and its agent's pods) and removes the data dir it owns; a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await StopAsync();
        if (WithAgent) await KillallAsync();
        _process?.Dispose();
        if (_ownsDataDir)
        {
            try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
