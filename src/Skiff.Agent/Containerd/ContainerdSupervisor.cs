using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Skiff.Agent.Cri;
using Skiff.Agent.Cri.Grpc;

namespace Skiff.Agent.Containerd;

/// <summary>How patient the supervisor is; the defaults suit a real node, tests shorten them.</summary>
public sealed record SupervisorTimings
{
    /// <summary>How long a fresh containerd may take to answer CRI Version before start fails.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>SIGTERM first; SIGKILL if containerd has not exited after this.</summary>
    public TimeSpan StopGracePeriod { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan InitialRestartDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxRestartDelay { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>A containerd that ran this long before dying restarts after the initial delay again.</summary>
    public TimeSpan StableAfter { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan ReadyPollInterval { get; init; } = TimeSpan.FromMilliseconds(100);
}

/// <summary>
/// Runs Skiff's own containerd as a child process: writes its config, starts it with its output
/// appended to <c>&lt;data-dir&gt;/agent/containerd/containerd.log</c>, reports ready once the CRI
/// socket answers Version, restarts it with exponential backoff whenever it dies, and stops it
/// with SIGTERM, then SIGKILL. Stopping containerd leaves the pods' shims and containers running,
/// as k3s does; a restarted containerd reconnects to them.
/// A containerd left by a previous agent that died (found through the pid file) is stopped
/// before a new one starts, so two never share one root.
/// Thread-safe for one <see cref="StartAsync"/> followed by any number of the other members.
/// </summary>
public sealed class ContainerdSupervisor : IAsyncDisposable
{
    private readonly AgentOptions _options;
    private readonly AgentPaths _paths;
    private readonly ILogger _log;
    private readonly SupervisorTimings _timings;
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _gate = new();
    private TaskCompletionSource _ready = NewReady();
    private Process? _process;
    private Task? _loop;
    private int _starts;

    public ContainerdSupervisor(AgentOptions options, ILogger<ContainerdSupervisor> logger, SupervisorTimings? timings = null)
    {
        _options = options;
        _paths = options.Paths;
        _log = logger;
        _timings = timings ?? new SupervisorTimings();
    }

    public string SocketPath => _paths.ContainerdSocket;

    /// <summary>The running containerd's process id, or null between restarts.</summary>
    public int? ProcessId
    {
        get { lock (_gate) return _process is { HasExited: false } p ? p.Id : null; }
    }

    /// <summary>How many times containerd has been started (1 after a clean start; more after restarts).</summary>
    public int Starts => Volatile.Read(ref _starts);

    /// <summary>Completes when the current containerd answers CRI calls.</summary>
    public Task WaitReadyAsync(CancellationToken ct)
    {
        Task ready;
        lock (_gate) ready = _ready.Task;
        return ready.WaitAsync(ct);
    }

    /// <summary>Writes the config, starts containerd and waits until it serves CRI.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        if (_loop is not null) throw new InvalidOperationException("containerd supervisor already started");
        foreach (var dir in new[] { Path.GetDirectoryName(_paths.ContainerdConfig)!, _paths.ContainerdDir, _paths.CniConfDir })
            Directory.CreateDirectory(dir);
        var config = ContainerdConfig.For(_options);
        await File.WriteAllTextAsync(_paths.ContainerdConfig, config.Render(), ct).ConfigureAwait(false);
        _options.Registries.Write(config.RegistryConfigDir);
        await StopLeftoverAsync(ct).ConfigureAwait(false);

        _log.LogInformation("Starting containerd (config {Config}, socket {Socket}, cgroup driver {Driver})",
            _paths.ContainerdConfig, SocketPath, config.CgroupDriver);
        _loop = Task.Run(() => SuperviseAsync(_stopping.Token), CancellationToken.None);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_timings.StartTimeout);
        try
        {
            await WaitReadyAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ContainerdStartException(
                $"containerd did not serve CRI on {SocketPath} within {_timings.StartTimeout.TotalSeconds:0} s " +
                $"(started {Starts} time(s)); last lines of {_paths.ContainerdLog}:\n{TailLog(20)}");
        }
    }

    private async Task SuperviseAsync(CancellationToken stopping)
    {
        var delay = _timings.InitialRestartDelay;
        while (!stopping.IsCancellationRequested)
        {
            Process process;
            try
            {
                process = Launch();
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
            {
                _log.LogError(e, "Could not start containerd; retrying in {Delay}", delay);
                if (!await DelayAsync(delay, stopping).ConfigureAwait(false)) return;
                delay = Next(delay);
                continue;
            }
            var startedAt = Stopwatch.StartNew();
            _ = WatchReadinessAsync(process, startedAt, stopping);
            try
            {
                await process.WaitForExitAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return; // StopAsync ends the process
            }

            lock (_gate)
            {
                if (_ready.Task.IsCompleted) _ready = NewReady();
                _process = null;
            }
            var exitCode = SafeExitCode(process);
            process.Dispose();
            if (startedAt.Elapsed >= _timings.StableAfter) delay = _timings.InitialRestartDelay;
            _log.LogWarning("containerd exited (code {ExitCode}) after {Uptime}; restarting in {Delay}. Last log lines:\n{Tail}",
                exitCode, startedAt.Elapsed, delay, TailLog(10));
            if (!await DelayAsync(delay, stopping).ConfigureAwait(false)) return;
            delay = Next(delay);
        }
    }

    private Process Launch()
    {
        // sh only sets up the redirections and then becomes containerd (exec), so containerd
        // writes its log itself, even while the agent is busy or gone.
        var start = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            ArgumentList =
            {
                "-c", "exec \"$0\" --config \"$1\" </dev/null >>\"$2\" 2>&1",
                _options.ContainerdPath, _paths.ContainerdConfig, _paths.ContainerdLog,
            },
        };
        var process = Process.Start(start) ?? throw new IOException("containerd did not start");
        lock (_gate) _process = process;
        Interlocked.Increment(ref _starts);
        File.WriteAllText(_paths.ContainerdPidFile, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _log.LogInformation("containerd started (pid {Pid})", process.Id);
        return process;
    }

    /// <summary>Polls until this containerd answers CRI Version, then marks the supervisor ready.</summary>
    private async Task WatchReadinessAsync(Process process, Stopwatch startedAt, CancellationToken stopping)
    {
        using var grpc = new UnixGrpcClient(SocketPath);
        // A short deadline per probe: a containerd that accepted the connection but hangs is retried, not waited on.
        var runtime = new RuntimeServiceClient(grpc) { DefaultTimeout = TimeSpan.FromSeconds(5) };
        while (!stopping.IsCancellationRequested && !process.HasExited)
        {
            if (File.Exists(SocketPath))
            {
                try
                {
                    var version = await runtime.VersionAsync(stopping).ConfigureAwait(false);
                    lock (_gate)
                    {
                        if (_process != process || process.HasExited) return;
                        _ready.TrySetResult();
                    }
                    _log.LogInformation("containerd {Version} ready in {Elapsed} ms (CRI {Api})",
                        version.RuntimeVersion, startedAt.ElapsedMilliseconds, version.RuntimeApiVersion);
                    return;
                }
                catch (RpcException)
                {
                    // Not serving yet (the socket appears before the CRI plugin is registered).
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            if (!await DelayAsync(_timings.ReadyPollInterval, stopping).ConfigureAwait(false)) return;
        }
    }

    /// <summary>SIGTERM, then SIGKILL after the grace period. Safe to call more than once.</summary>
    public async Task StopAsync(CancellationToken ct = default)
    {
        _stopping.Cancel();
        if (_loop is not null) await _loop.ConfigureAwait(false);
        Process? process;
        lock (_gate)
        {
            process = _process;
            _process = null;
        }
        if (process is null) return;
        using (process)
        {
            if (!process.HasExited) await TerminateAsync(process.Id, ct).ConfigureAwait(false);
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        TryDelete(_paths.ContainerdPidFile);
        _log.LogInformation("containerd stopped");
    }

    private async Task TerminateAsync(int pid, CancellationToken ct)
    {
        Signals.Send(pid, Signals.SIGTERM);
        var waited = Stopwatch.StartNew();
        while (Signals.IsAlive(pid) && !IsZombie(pid) && waited.Elapsed < _timings.StopGracePeriod)
            await Task.Delay(50, ct).ConfigureAwait(false);
        if (Signals.IsAlive(pid) && !IsZombie(pid))
        {
            _log.LogWarning("containerd (pid {Pid}) did not exit {Grace} after SIGTERM; killing it", pid, _timings.StopGracePeriod);
            Signals.Send(pid, Signals.SIGKILL);
        }
    }

    /// <summary>A containerd from an earlier agent run on this data dir is stopped, never shared.</summary>
    private async Task StopLeftoverAsync(CancellationToken ct)
    {
        if (!File.Exists(_paths.ContainerdPidFile)) return;
        if (int.TryParse(File.ReadAllText(_paths.ContainerdPidFile).Trim(), out var pid) &&
            Signals.CommandLine(pid) is { } cmdline && cmdline.Contains(_paths.ContainerdConfig, StringComparison.Ordinal))
        {
            _log.LogWarning("Stopping containerd left running by an earlier agent (pid {Pid})", pid);
            await TerminateAsync(pid, ct).ConfigureAwait(false);
            var waited = Stopwatch.StartNew();
            while (Signals.IsAlive(pid) && !IsZombie(pid) && waited.Elapsed < TimeSpan.FromSeconds(5))
                await Task.Delay(50, ct).ConfigureAwait(false);
        }
        TryDelete(_paths.ContainerdPidFile);
    }

    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] == 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The last lines of containerd's log, for error messages.</summary>
    public string TailLog(int lines)
    {
        try
        {
            using var stream = new FileStream(_paths.ContainerdLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var start = Math.Max(0, stream.Length - 16 * 1024);
            stream.Seek(start, SeekOrigin.Begin);
            var text = new StreamReader(stream).ReadToEnd();
            var all = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return string.Join('\n', all.TakeLast(lines).Select(l => l.Length > 400 ? l[..400] + " …" : l));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    private TimeSpan Next(TimeSpan delay) =>
        TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _timings.MaxRestartDelay.Ticks));

    private static async Task<bool> DelayAsync(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, ct).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static int? SafeExitCode(Process p)
    {
        try { return p.ExitCode; }
        catch (InvalidOperationException) { return null; }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
    }

    private static TaskCompletionSource NewReady() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ValueTask DisposeAsync() => new(StopAsync());
}

/// <summary>containerd could not be brought to serve CRI; the message carries its last log lines.</summary>
public sealed class ContainerdStartException(string message) : Exception(message);
