using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace Skiff.Storage.Etcd;

/// <summary>
/// Unary gRPC calls over HTTP/2 cleartext with plain <see cref="HttpClient"/> (Grpc.Net.Client is
/// not available). A message travels as one frame: a compressed flag byte (always 0 here), a
/// 4-byte big-endian length and the protobuf bytes; the outcome is the <c>grpc-status</c> trailer.
/// Thread-safe: calls multiplex over the handler's HTTP/2 connection(s).
/// </summary>
public sealed class GrpcUnaryCaller : IDisposable
{
    private static readonly MediaTypeHeaderValue GrpcContentType = new("application/grpc");
    private readonly HttpClient _http;
    private readonly Uri _baseAddress;

    public GrpcUnaryCaller(Uri baseAddress)
    {
        _baseAddress = baseAddress;
        var handler = new SocketsHttpHandler
        {
            // Lets many concurrent calls open a second connection instead of queueing behind the stream limit.
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public async Task<TResponse> CallAsync<TResponse>(string method, IMessage request, MessageParser<TResponse> parser, CancellationToken ct)
        where TResponse : IMessage<TResponse>
    {
        var size = request.CalculateSize();
        var body = new byte[5 + size];
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(1), (uint)size);
        request.WriteTo(body.AsSpan(5));

        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(_baseAddress, method))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        message.Content.Headers.ContentType = GrpcContentType;
        message.Headers.TryAddWithoutValidation("te", "trailers");

        using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
            throw new GrpcCallException(method, -1, $"HTTP {(int)response.StatusCode}");
        var payload = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);

        // A failed call may send its status in the headers alone ("trailers-only").
        var status = Header(response.TrailingHeaders, "grpc-status") ?? Header(response.Headers, "grpc-status");
        if (status is null) throw new GrpcCallException(method, -1, "response carried no grpc-status");
        if (status != "0")
        {
            var text = Header(response.TrailingHeaders, "grpc-message") ?? Header(response.Headers, "grpc-message") ?? "";
            throw new GrpcCallException(method, int.Parse(status), Uri.UnescapeDataString(text));
        }
        if (payload.Length < 5 || payload[0] != 0)
            throw new GrpcCallException(method, -1, "malformed or compressed response frame");
        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(1));
        return parser.ParseFrom(payload, 5, length);
    }

    private static string? Header(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    public void Dispose() => _http.Dispose();
}

/// <summary>A gRPC call ended with a non-OK status (or a broken response).</summary>
public sealed class GrpcCallException(string method, int status, string detail)
    : Exception($"{method} failed: grpc-status {status}: {detail}")
{
    /// <summary>The gRPC status code, or -1 if the response was not valid gRPC.</summary>
    public int Status { get; } = status;
}
