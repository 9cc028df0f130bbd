using System.Buffers.Binary;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Skiff.Agent.Tests.Support;

namespace Skiff.Agent.Tests.Cri;

/// <summary>
/// An HTTP/2 cleartext server on a unix socket (Kestrel) whose handlers write gRPC responses by
/// hand, so tests can send exactly the frames, headers and trailers a case needs.
/// </summary>
public sealed class FakeGrpcServer : IAsyncDisposable
{
    private readonly TempDir _dir;
    private readonly WebApplication _app;

    private FakeGrpcServer(WebApplication app, TempDir dir, string socket)
    {
        _app = app;
        _dir = dir;
        SocketPath = socket;
    }

    public string SocketPath { get; }

    /// <summary>The request headers of the last call, for assertions.</summary>
    public IHeaderDictionary? LastHeaders { get; private set; }

    public static async Task<FakeGrpcServer> StartAsync(Action<WebApplication, FakeGrpcServer> routes)
    {
        var dir = new TempDir("skiff-grpc");
        var socket = dir.Combine("grpc.sock");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(socket, l => l.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        var server = new FakeGrpcServer(app, dir, socket);
        app.Use(async (ctx, next) =>
        {
            server.LastHeaders = ctx.Request.Headers;
            await next(ctx);
        });
        routes(app, server);
        await app.StartAsync();
        return server;
    }

    /// <summary>Reads the single request message of a call.</summary>
    public static async Task<byte[]> ReadRequestAsync(HttpContext ctx)
    {
        using var body = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(body);
        var bytes = body.ToArray();
        var length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1));
        return bytes.AsSpan(5, length).ToArray();
    }

    public static async Task WriteFrameAsync(HttpContext ctx, Google.Protobuf.IMessage message)
    {
        var payload = Google.Protobuf.MessageExtensions.ToByteArray(message);
        var frame = new byte[5 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), payload.Length);
        payload.CopyTo(frame, 5);
        await ctx.Response.Body.WriteAsync(frame);
        await ctx.Response.Body.FlushAsync();
    }

    public static void BeginGrpc(HttpContext ctx)
    {
        ctx.Response.ContentType = "application/grpc";
        ctx.Response.DeclareTrailer("grpc-status");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _dir.Dispose();
    }
}
