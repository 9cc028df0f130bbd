using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Skiff.Storage.Etcd;
using Skiff.Storage.Etcd.Protocol;

namespace Skiff.Bench;

/// <summary>A throw-away single-member etcd on loopback with its own data dir; disposing kills it.</summary>
internal sealed class EtcdProcess : IAsyncDisposable
{
    private readonly Process _process;

    private EtcdProcess(Process process, Uri endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public static async Task<EtcdProcess> StartAsync(string binary, string dataDir, CancellationToken ct)
    {
        var clientPort = FreePort();
        var peerPort = FreePort();
        var client = $"http://127.0.0.1:{clientPort}";
        var peer = $"http://127.0.0.1:{peerPort}";
        var psi = new ProcessStartInfo(binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            "--name", "bench", "--data-dir", dataDir,
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", $"bench={peer}", "--log-level", "error", "--logger", "zap",
        }) psi.ArgumentList.Add(arg);
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {binary}");
        // Drain its output so a chatty etcd never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Console.Error.WriteLine($"[etcd] {line}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var etcd = new EtcdProcess(process, new Uri(client));
        try
        {
            await etcd.WaitReadyAsync(ct);
            return etcd;
        }
        catch
        {
            await etcd.DisposeAsync();
            throw;
        }
    }

    private async Task WaitReadyAsync(CancellationToken ct)
    {
        using var probe = new EtcdClient(Endpoint);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"etcd exited with {_process.ExitCode}");
            try
            {
                await probe.RangeAsync(new RangeRequest { Key = Google.Protobuf.ByteString.CopyFromUtf8("/ready") }, ct);
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, ct); // readiness of a child process: nothing to wait on but the port
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
