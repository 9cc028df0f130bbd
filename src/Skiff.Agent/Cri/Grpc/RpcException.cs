namespace Skiff.Agent.Cri.Grpc;

/// <summary>
/// A gRPC call that did not end with OK: a status sent by the server, or one the client
/// concluded itself (no connection → Unavailable, deadline passed → DeadlineExceeded,
/// a response that is not gRPC → Internal/Unknown).
/// </summary>
public sealed class RpcException : Exception
{
    public RpcException(string method, GrpcStatusCode status, string detail, Exception? inner = null)
        : base($"{method}: {status}: {detail}", inner)
    {
        Method = method;
        Status = status;
        Detail = detail;
    }

    /// <summary>The full method path, e.g. <c>/runtime.v1.RuntimeService/Version</c>.</summary>
    public string Method { get; }

    public GrpcStatusCode Status { get; }

    /// <summary>The server's <c>grpc-message</c> (decoded), or the client's own explanation.</summary>
    public string Detail { get; }
}
