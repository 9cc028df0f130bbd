using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Skiff.Api.Models;
using Skiff.Api.Models.Core.V1;

namespace Skiff.Agent.Kubelet.Probes;

public enum ProbeKind { Liveness, Readiness, Startup }

public enum ProbeResult { Unknown, Success, Failure }

/// <summary>What a probe or lifecycle handler runs against: the container, its id in the runtime and the pod's IP.</summary>
public sealed record ProbeTarget(Container Container, string ContainerId, string? PodIp);

/// <summary>
/// One probe's result: success, or failure with upstream's message; Errored when the probe could not run at all (the
/// runtime refused the exec), which upstream reports as "probe errored" and counts as a failure.
/// </summary>
public readonly record struct ProbeOutcome(bool Ok, string Message, bool Errored = false)
{
    public static implicit operator ProbeOutcome((bool Ok, string Message) result) => new(result.Ok, result.Message);
}

/// <summary>One probe mechanism (exec, httpGet, tcpSocket, grpc). Implementations are stateless and thread-safe.</summary>
public interface IProber
{
    /// <summary>Runs once; a timeout or error is a failure with a message, never an exception (except cancellation).</summary>
    Task<ProbeOutcome> ProbeAsync(Probe probe, ProbeTarget target, TimeSpan timeout, CancellationToken ct);
}

/// <summary>Chooses the prober for a probe's handler. Stateless; thread-safe.</summary>
public sealed class ProberSet(IProber exec, IProber http, IProber tcp, IProber grpc)
{
    public Task<ProbeOutcome> ProbeAsync(Probe probe, ProbeTarget target, CancellationToken ct)
    {
        var timeout = TimeSpan.FromSeconds(Math.Max(1, probe.TimeoutSeconds ?? 1));
        if (probe.Exec is not null) return exec.ProbeAsync(probe, target, timeout, ct);
        if (probe.HttpGet is not null) return http.ProbeAsync(probe, target, timeout, ct);
        if (probe.TcpSocket is not null) return tcp.ProbeAsync(probe, target, timeout, ct);
        if (probe.Grpc is not null) return grpc.ProbeAsync(probe, target, timeout, ct);
        return Task.FromResult<ProbeOutcome>((false, "the probe has no handler"));
    }
}

/// <summary>exec: the command's exit code in the container (0 is success), through CRI ExecSync. A failure's message is
/// the command's output, as upstream's (so the Unhealthy event reads "Liveness probe failed: &lt;output&gt;"); a timeout
/// is a failure ("command ... timed out"); any other runtime error is Errored, with Go's rpc error text.</summary>
public sealed class ExecProber(ContainerRuntimeManager runtime) : IProber
{
    public async Task<ProbeOutcome> ProbeAsync(Probe probe, ProbeTarget target, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            var r = await runtime.ExecSyncAsync(target.ContainerId, probe.Exec!.Command ?? [], timeout, ct).ConfigureAwait(false);
            var output = r.Stdout.ToStringUtf8() + r.Stderr.ToStringUtf8();
            return (r.ExitCode == 0, r.ExitCode == 0 ? output : output.TrimEnd());
        }
        catch (Cri.Grpc.RpcException e) when (e.Status == Cri.Grpc.GrpcStatusCode.DeadlineExceeded)
        {
            return (false, $"command \"{string.Join(' ', probe.Exec!.Command ?? [])}\" timed out");
        }
        catch (Cri.Grpc.RpcException e) { return new ProbeOutcome(false, KubeletEvents.GoError(e), Errored: true); }
    }
}

/// <summary>httpGet: a status from 200 to 399 is success (redirects are followed on the same host, as upstream).</summary>
public sealed class HttpProber : IProber, IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = true,
        MaxAutomaticRedirections = 10,
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.Zero,
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    }) { Timeout = Timeout.InfiniteTimeSpan };

    public async Task<ProbeOutcome> ProbeAsync(Probe probe, ProbeTarget target, TimeSpan timeout, CancellationToken ct)
    {
        var action = probe.HttpGet!;
        var (code, message) = await GetAsync(action, target, timeout, ct).ConfigureAwait(false);
        return code is >= 200 and < 400 ? (true, message) : (false, code == 0 ? message : $"HTTP probe failed with statuscode: {code}");
    }

    /// <summary>Also used by lifecycle hooks. Returns the status code (0 when no response) and a message.</summary>
    public async Task<(int Code, string Message)> GetAsync(HTTPGetAction action, ProbeTarget target, TimeSpan timeout, CancellationToken ct)
    {
        var host = string.IsNullOrEmpty(action.Host) ? target.PodIp ?? "127.0.0.1" : action.Host;
        if (PortResolver.Resolve(action.Port, target.Container) is not { } port) return (0, $"unknown port {action.Port}");
        var scheme = string.Equals(action.Scheme, "HTTPS", StringComparison.OrdinalIgnoreCase) ? "https" : "http";
        var path = string.IsNullOrEmpty(action.Path) ? "/" : action.Path.StartsWith('/') ? action.Path : "/" + action.Path;
        var hostPart = IPAddress.TryParse(host, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{host}]" : host;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{scheme}://{hostPart}:{port}{path}");
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("kube-probe", "1.36"));
        request.Headers.Accept.ParseAdd("*/*");
        foreach (var h in action.HttpHeaders ?? [])
        {
            if (string.Equals(h.Name, "Host", StringComparison.OrdinalIgnoreCase)) request.Headers.Host = h.Value;
            else request.Headers.TryAddWithoutValidation(h.Name ?? "", h.Value ?? "");
        }
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token).ConfigureAwait(false);
            return ((int)response.StatusCode, response.ReasonPhrase ?? "");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { return (0, $"Get \"{request.RequestUri}\": context deadline exceeded"); }
        catch (HttpRequestException e) { return (0, $"Get \"{request.RequestUri}\": {e.Message}"); }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>tcpSocket: a connection that opens is success.</summary>
public sealed class TcpProber : IProber
{
    public async Task<ProbeOutcome> ProbeAsync(Probe probe, ProbeTarget target, TimeSpan timeout, CancellationToken ct)
    {
        var action = probe.TcpSocket!;
        var host = string.IsNullOrEmpty(action.Host) ? target.PodIp ?? "127.0.0.1" : action.Host;
        if (PortResolver.Resolve(action.Port, target.Container) is not { } port) return (false, $"unknown port {action.Port}");
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(host, port, cts.Token).ConfigureAwait(false);
            return (true, "");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { return (false, $"dial tcp {host}:{port}: i/o timeout"); }
        catch (SocketException e) { return (false, $"dial tcp {host}:{port}: {e.Message}"); }
    }
}

/// <summary>Named ports ("http") resolve through the container's ports, as upstream.</summary>
public static class PortResolver
{
    public static int? Resolve(IntOrString? port, Container container)
    {
        if (port is not { } p) return null;
        if (!p.IsString) return p.IntValue is > 0 and < 65536 ? p.IntValue : null;
        if (int.TryParse(p.StringValue, out var n)) return n;
        return container.Ports?.FirstOrDefault(cp => cp.Name == p.StringValue)?.ContainerPortValue;
    }
}
