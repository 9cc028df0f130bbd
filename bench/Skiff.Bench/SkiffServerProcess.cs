using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Skiff.Bench;

/// <summary>
/// A throw-away <c>skiff server</c> on loopback: its own temporary data dir, a free port, an empty
/// config file, no agent. <see cref="StartAsync"/> returns once the log says "Skiff is ready" and
/// GET /readyz answers 200; disposing kills the process and deletes the directory.
/// </summary>
internal sealed class SkiffServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _root;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringBuilder _tail = new();

    private SkiffServerProcess(Process process, string root, int port)
    {
        _process = process;
        _root = root;
        Port = port;
    }

    public int Port { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public string ExitDescription => _process.HasExited ? $"exited with {_process.ExitCode}" : "running";
    public string KubeconfigPath => Path.Combine(_root, "kc.yaml");

    /// <summary>Starting a skiff binary; <paramref name="environment"/> entries with a null value are removed.</summary>
    public static async Task<SkiffServerProcess> StartAsync(string binary, IReadOnlyDictionary<string, string?> environment, CancellationToken ct,
        IReadOnlyList<string>? extraArgs = null)
    {
        if (!File.Exists(binary))
            throw new FileNotFoundException($"{binary} not found; build it first: dotnet build src/Skiff -c Release", binary);
        var root = Directory.CreateTempSubdirectory("skiff-apibench-").FullName;
        var config = Path.Combine(root, "config.yaml");
        File.WriteAllText(config, "");
        var port = FreePort();
        var psi = new ProcessStartInfo(Path.GetFullPath(binary))
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root,
        };
        foreach (var arg in new[]
        {
            "server", "--data-dir", Path.Combine(root, "data"), "--bind-address", "127.0.0.1",
            "--https-listen-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--write-kubeconfig", Path.Combine(root, "kc.yaml"), "--disable-agent", "--config", config,
        }) psi.ArgumentList.Add(arg);
        foreach (var arg in extraArgs ?? []) psi.ArgumentList.Add(arg);
        // Only the variables a run asks for differ from the bench's own environment; SKIFF_* would
        // override flags, so none are passed through.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("SKIFF_", StringComparison.Ordinal)).ToList())
            psi.Environment.Remove(key);
        foreach (var (key, value) in environment)
        {
            if (value is null) psi.Environment.Remove(key);
            else psi.Environment[key] = value;
        }

        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {binary}");
        }
        catch
        {
            Directory.Delete(root, recursive: true);
            throw;
        }
        var server = new SkiffServerProcess(process, root, port);
        process.OutputDataReceived += (_, e) => server.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => server.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitReadyAsync(ct);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_tail)
        {
            _tail.AppendLine(line);
            if (_tail.Length > 16_000) _tail.Remove(0, _tail.Length - 8_000);
        }
        if (line.Contains("Skiff is ready", StringComparison.Ordinal)) _ready.TrySetResult();
    }

    /// <summary>The last lines the server wrote (for error messages and for the report).</summary>
    public string LogTail()
    {
        lock (_tail) return _tail.ToString();
    }

    private async Task WaitReadyAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var exited = _process.WaitForExitAsync(timeout.Token);
        var first = await Task.WhenAny(_ready.Task, exited, Task.Delay(Timeout.Infinite, timeout.Token)).ConfigureAwait(false);
        if (first == exited && !_ready.Task.IsCompleted)
            throw new InvalidOperationException($"skiff server exited with {_process.ExitCode} before it was ready:\n{LogTail()}");
        if (!_ready.Task.IsCompleted)
            throw new TimeoutException($"skiff server not ready within 60 s:\n{LogTail()}");

        // /readyz is anonymous; only the CA is needed, which the kubeconfig already holds.
        using var client = CreateClient(withClientCertificate: false);
        while (true)
        {
            try
            {
                using var response = await client.GetAsync("/readyz", timeout.Token).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) when (!timeout.IsCancellationRequested) { }
            await Task.Delay(50, timeout.Token).ConfigureAwait(false); // nothing to wait on but the port
        }
    }

    /// <summary>
    /// An HTTP/2-only client to this server: the kubeconfig's CA is the only trusted root, and the
    /// admin client certificate is presented unless asked not to.
    /// </summary>
    public HttpClient CreateClient(bool withClientCertificate = true)
    {
        var kubeconfig = Kubeconfig.Read(KubeconfigPath);
        var ca = X509Certificate2.CreateFromPem(kubeconfig.CertificateAuthorityPem);
        var ssl = new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                TrustsOnly(ca, certificate, errors),
        };
        if (withClientCertificate)
        {
            using var ephemeral = X509Certificate2.CreateFromPem(kubeconfig.ClientCertificatePem, kubeconfig.ClientKeyPem);
            // A PKCS#12 round trip gives the certificate a persisted private key, which SslStream needs
            // to sign the handshake on every platform.
            ssl.ClientCertificates = [X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null)];
        }
        var handler = new SocketsHttpHandler
        {
            SslOptions = ssl,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            EnableMultipleHttp2Connections = false, // one connection, as client-go uses
        };
        return new HttpClient(handler)
        {
            BaseAddress = new Uri($"https://127.0.0.1:{Port}"),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    private static bool TrustsOnly(X509Certificate2 ca, X509Certificate? presented, SslPolicyErrors errors)
    {
        if (presented is null) return false;
        // Name mismatch or a missing certificate are failures; chain errors are judged below against
        // the CA alone, since the system store must not count.
        if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(presented);
        return chain.Build(leaf);
    }

    /// <summary>Memory of the server process from /proc/PID/status, in KiB.</summary>
    public ProcStatus ReadStatus() => ProcStatus.Read(_process.Id);

    /// <summary>As <see cref="ReadStatus"/>, or null once the process has gone.</summary>
    public ProcStatus? TryReadStatus()
    {
        try
        {
            if (_process.HasExited) return null;
            var status = ProcStatus.Read(_process.Id);
            return status.VmRssKiB == 0 ? null : status; // a zombie: exited, not yet reaped
        }
        catch (IOException) { return null; }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
        finally
        {
            _process.Dispose();
            Directory.Delete(_root, recursive: true);
        }
    }
}

/// <summary>The three base64 PEM fields of an admin kubeconfig (one cluster, one user).</summary>
internal sealed record Kubeconfig(string CertificateAuthorityPem, string ClientCertificatePem, string ClientKeyPem)
{
    public static Kubeconfig Read(string path)
    {
        // The fields are plain scalars on their own lines; a YAML parser is not needed for that.
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            var colon = line.IndexOf(':');
            if (colon > 0) fields.TryAdd(line[..colon], line[(colon + 1)..].Trim());
        }
        string Pem(string key) => fields.TryGetValue(key, out var b64)
            ? Encoding.UTF8.GetString(Convert.FromBase64String(b64))
            : throw new InvalidDataException($"{path}: no {key}");
        return new Kubeconfig(Pem("certificate-authority-data"), Pem("client-certificate-data"), Pem("client-key-data"));
    }
}

/// <summary>The memory lines of /proc/PID/status, in KiB.</summary>
internal sealed record ProcStatus(long VmRssKiB, long VmHwmKiB, long RssAnonKiB, long RssFileKiB, long RssShmemKiB, int Threads)
{
    public static ProcStatus Read(int pid)
    {
        long Field(string[] lines, string name)
        {
            var line = lines.FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal));
            if (line is null) return 0;
            var parts = line[(name.Length + 1)..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            return long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        var lines = File.ReadAllLines($"/proc/{pid}/status");
        return new ProcStatus(Field(lines, "VmRSS"), Field(lines, "VmHWM"), Field(lines, "RssAnon"), Field(lines, "RssFile"), Field(lines, "RssShmem"), (int)Field(lines, "Threads"));
    }

    public static string MiB(long kib) => (kib / 1024.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>CPU time from /proc, in seconds: one process's own (user + system, threads included) or the whole machine's busy time.</summary>
internal static class CpuTime
{
    private const double Tick = 100.0; // USER_HZ: /proc reports clock ticks of 1/100 s on Linux.

    public static double Process(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // the command name may hold spaces; fields resume after ')'
        return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / Tick;
    }

    /// <summary>Busy time of all CPUs together (everything but idle and iowait).</summary>
    public static double Machine()
    {
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(v => long.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal (guest time is already inside user)
        return (cpu.Take(8).Sum() - cpu[3] - cpu[4]) / Tick;
    }
}
