using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace Skiff.Agent.Cri.Grpc;

/// <summary>
/// A gRPC client over HTTP/2 cleartext ("prior knowledge") on a unix socket, written on
/// <see cref="HttpClient"/> because Grpc.Net.Client is not available. Unary and
/// server-streaming calls, deadlines sent as <c>grpc-timeout</c> and enforced locally, and
/// every failure surfaced as an <see cref="RpcException"/> with a status code; a call the
/// caller cancels throws <see cref="OperationCanceledException"/>.
/// Thread-safe: calls multiplex over the pooled HTTP/2 connection(s).
/// </summary>
public sealed class UnixGrpcClient : IDisposable
{
    private static readonly MediaTypeHeaderValue GrpcContentType = new("application/grpc");
    private static readonly Uri BaseAddress = new("http://localhost");
    private readonly HttpClient _http;

    public UnixGrpcClient(string socketPath)
    {
        SocketPath = socketPath;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = (_, ct) => ConnectAsync(socketPath, ct),
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            // Notices a peer that went away (containerd killed) on an idle pooled connection.
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
        };
        _http = new HttpClient(handler)
        {
            BaseAddress = BaseAddress,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("skiff-agent/0.1");
    }

    public string SocketPath { get; }

    /// <summary>Accepts <c>unix:///path</c> or a plain path.</summary>
    public static string ParseEndpoint(string endpoint) =>
        endpoint.StartsWith("unix://", StringComparison.Ordinal) ? endpoint["unix://".Length..] : endpoint;

    private static async ValueTask<Stream> ConnectAsync(string path, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async Task<TResponse> UnaryAsync<TResponse>(string method, IMessage request, MessageParser<TResponse> parser,
        TimeSpan? deadline, CancellationToken ct)
        where TResponse : IMessage<TResponse>
    {
        using var call = await StartAsync(method, request, deadline, ct).ConfigureAwait(false);
        try
        {
            var payload = await GrpcWire.ReadFrameAsync(call.Body, call.Token).ConfigureAwait(false);
            if (payload is not null && await GrpcWire.ReadFrameAsync(call.Body, call.Token).ConfigureAwait(false) is not null)
                throw new RpcException(method, GrpcStatusCode.Internal, "unary call returned more than one message");
            call.ThrowIfNotOk();
            if (payload is null) throw new RpcException(method, GrpcStatusCode.Internal, "unary call returned OK without a message");
            return parser.ParseFrom(payload);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw call.Translate(e);
        }
    }

    public async IAsyncEnumerable<TResponse> ServerStreamingAsync<TResponse>(string method, IMessage request,
        MessageParser<TResponse> parser, TimeSpan? deadline, [EnumeratorCancellation] CancellationToken ct = default)
        where TResponse : IMessage<TResponse>
    {
        using var call = await StartAsync(method, request, deadline, ct).ConfigureAwait(false);
        while (true)
        {
            byte[]? payload;
            try
            {
                payload = await GrpcWire.ReadFrameAsync(call.Body, call.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not RpcException)
            {
                throw call.Translate(e);
            }
            if (payload is null) break;
            yield return parser.ParseFrom(payload);
        }
        call.ThrowIfNotOk();
    }

    private async Task<Call> StartAsync(string method, IMessage request, TimeSpan? deadline, CancellationToken ct)
    {
        var call = new Call(method, SocketPath, ct, deadline);
        try
        {
            var message = new HttpRequestMessage(HttpMethod.Post, method)
            {
                // HttpClient's default version applies only to requests it builds itself.
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = new ByteArrayContent(GrpcWire.Frame(request)),
            };
            message.Content.Headers.ContentType = GrpcContentType;
            message.Headers.TryAddWithoutValidation("te", "trailers");
            message.Headers.TryAddWithoutValidation("grpc-accept-encoding", "identity");
            if (deadline is { } d) message.Headers.TryAddWithoutValidation("grpc-timeout", GrpcWire.FormatTimeout(d));
            call.Request = message;
            call.Response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, call.Token).ConfigureAwait(false);
            call.CheckHeaders();
            call.Body = await call.Response.Content.ReadAsStreamAsync(call.Token).ConfigureAwait(false);
            return call;
        }
        catch (Exception e)
        {
            var error = e as RpcException ?? call.Translate(e);
            call.Dispose();
            throw error;
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>One call's request, response and deadline; turns whatever went wrong into a status.</summary>
    private sealed class Call : IDisposable
    {
        private readonly CancellationToken _callerToken;
        private readonly CancellationTokenSource _cts;
        private readonly TimeSpan? _deadline;

        private readonly string _socketPath;

        public Call(string method, string socketPath, CancellationToken callerToken, TimeSpan? deadline)
        {
            Method = method;
            _socketPath = socketPath;
            _callerToken = callerToken;
            _deadline = deadline;
            _cts = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
            if (deadline is { } d) _cts.CancelAfter(d);
        }

        public string Method { get; }
        public CancellationToken Token => _cts.Token;
        public HttpRequestMessage? Request { get; set; }
        public HttpResponseMessage? Response { get; set; }
        public Stream Body { get; set; } = Stream.Null;

        /// <summary>Rejects a response that is not gRPC, or one that failed in its headers alone.</summary>
        public void CheckHeaders()
        {
            var response = Response!;
            if (response.StatusCode != HttpStatusCode.OK)
                throw new RpcException(Method, GrpcWire.StatusForHttp(response.StatusCode),
                    $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd());
            if (!GrpcWire.IsGrpcContentType(response.Content.Headers.ContentType))
                throw new RpcException(Method, GrpcStatusCode.Unknown,
                    $"response content-type '{response.Content.Headers.ContentType}' is not application/grpc");
            // Trailers-only: the status is in the headers and there is no body.
            if (GrpcWire.ReadStatus(response.Headers, null) is { } status && status.Code != GrpcStatusCode.OK)
                throw new RpcException(Method, status.Code, status.Message);
        }

        /// <summary>After the body has ended: OK, or the trailers' status as an exception.</summary>
        public void ThrowIfNotOk()
        {
            var status = GrpcWire.ReadStatus(Response!.Headers, Response.TrailingHeaders)
                ?? throw new RpcException(Method, GrpcStatusCode.Internal, "response ended without a grpc-status");
            if (status.Code != GrpcStatusCode.OK) throw new RpcException(Method, status.Code, status.Message);
        }

        public Exception Translate(Exception e)
        {
            if (_callerToken.IsCancellationRequested) return new OperationCanceledException($"{Method} was cancelled", e, _callerToken);
            if (_cts.IsCancellationRequested && _deadline is { } d)
                return new RpcException(Method, GrpcStatusCode.DeadlineExceeded, $"no answer within {d.TotalSeconds:0.###} s", e);
            return e switch
            {
                GrpcProtocolException p => new RpcException(Method, GrpcStatusCode.Internal, p.Message, e),
                InvalidProtocolBufferException p => new RpcException(Method, GrpcStatusCode.Internal, "undecodable message: " + p.Message, e),
                HttpRequestException { InnerException: SocketException s } =>
                    new RpcException(Method, GrpcStatusCode.Unavailable, $"cannot connect to unix://{_socketPath}: {s.Message}", e),
                HttpRequestException or IOException => new RpcException(Method, GrpcStatusCode.Unavailable, e.Message, e),
                _ => new RpcException(Method, GrpcStatusCode.Unknown, e.Message, e),
            };
        }

        public void Dispose()
        {
            Response?.Dispose();
            Request?.Dispose();
            _cts.Dispose();
        }
    }
}
