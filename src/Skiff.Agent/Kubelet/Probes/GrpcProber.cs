using System.Net;
using System.Net.Http.Headers;
using Skiff.Api.Models.Core.V1;

namespace Skiff.Agent.Kubelet.Probes;

/// <summary>
/// grpc: the standard health service (grpc.health.v1.Health/Check) over HTTP/2 cleartext; SERVING is
/// success. The two tiny messages are encoded by hand (field 1 of each), so no generated code is needed.
/// </summary>
public sealed class GrpcProber : IProber, IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero })
    {
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public async Task<ProbeOutcome> ProbeAsync(Probe probe, ProbeTarget target, TimeSpan timeout, CancellationToken ct)
    {
        var action = probe.Grpc!;
        var host = target.PodIp ?? "127.0.0.1";
        var service = System.Text.Encoding.UTF8.GetBytes(action.Service ?? "");
        var message = new List<byte>();
        if (service.Length > 0)
        {
            message.Add(0x0A);
            var n = service.Length;
            while (n >= 0x80) { message.Add((byte)(n | 0x80)); n >>= 7; }
            message.Add((byte)n);
            message.AddRange(service);
        }
        var frame = new byte[5 + message.Count];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), message.Count);
        message.CopyTo(frame, 5);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://{host}:{action.Port}/grpc.health.v1.Health/Check")
        {
            Content = new ByteArrayContent(frame),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            using var response = await _http.SendAsync(request, cts.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cts.Token).ConfigureAwait(false);
            var status = response.TrailingHeaders.TryGetValues("grpc-status", out var s) ? s.FirstOrDefault()
                : response.Headers.TryGetValues("grpc-status", out var h) ? h.FirstOrDefault() : null;
            if (status is not null && status != "0") return (false, $"rpc error: code = {status}");
            // HealthCheckResponse { status = 1 (SERVING) } is 08 01 after the 5-byte frame header.
            var serving = body.Length >= 7 && body[5] == 0x08 && body[6] == 0x01;
            return serving ? (true, "") : (false, "service unhealthy (responded with \"NOT_SERVING\")");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { return (false, "timeout: health rpc did not complete"); }
        catch (HttpRequestException e) { return (false, $"failed to connect service \"{host}:{action.Port}\": {e.Message}"); }
    }

    public void Dispose() => _http.Dispose();
}
