using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Skiff.ApiServer.Errors;
using Skiff.ApiServer.Kubelet;
using Skiff.Streaming;

namespace Skiff.ApiServer.Tests.Kubelet;

/// <summary>The API server's pass-through against a fake kubelet on loopback: WebSocket tunnels, raw SPDY upgrades, streamed logs.</summary>
public sealed class StreamProxyTests : IAsyncLifetime
{
    private WebApplication _backend = null!;
    private WebApplication _front = null!;
    private Uri _backendUri = null!;
    private Uri _frontUri = null!;

    public async Task InitializeAsync()
    {
        _backend = Start(async ctx =>
        {
            switch (ctx.Request.Path.Value)
            {
                case "/ws":
                {
                    var protocol = StreamProtocols.Choose(WebSocketHandshake.RequestedProtocols(ctx), ["SPDY/3.1+portforward.k8s.io", "v5.channel.k8s.io"]);
                    using var socket = await WebSocketHandshake.AcceptAsync(ctx, protocol);
                    await foreach (var m in WebSocketMessages.ReadAsync(socket, ctx.RequestAborted))
                        await socket.SendAsync((byte[])[.. "echo:"u8, .. m.Span], WebSocketMessageType.Binary, true, ctx.RequestAborted);
                    return;
                }
                case "/spdy":
                {
                    ctx.Response.Headers[StreamProtocols.ProtocolHeader] = ctx.Request.Headers[StreamProtocols.ProtocolHeader].Last();
                    ctx.Response.Headers.Upgrade = "SPDY/3.1";
                    var raw = await ctx.Features.Get<IHttpUpgradeFeature>()!.UpgradeAsync();
                    var buffer = new byte[100];
                    var n = await raw.ReadAsync(buffer);
                    await raw.WriteAsync(buffer.AsMemory(0, n));
                    await raw.FlushAsync();
                    return;
                }
                case "/refuse":
                    ctx.Response.StatusCode = 404;
                    ctx.Response.ContentType = "application/json";
                    await ctx.Response.WriteAsync("""{"kind":"Status","apiVersion":"v1","status":"Failure","message":"container \"x\" is not running","reason":"NotFound","code":404}""");
                    return;
                default:
                    ctx.Response.ContentType = "text/plain";
                    await ctx.Response.WriteAsync("a\n");
                    await ctx.Response.Body.FlushAsync();
                    await Task.Delay(100);
                    await ctx.Response.WriteAsync("b\n");
                    return;
            }
        });
        await _backend.StartAsync();
        _backendUri = new Uri(_backend.Urls.First());

        var proxy = new StreamProxy(new KubeletTransport(SelfSignedClient()));
        _front = Start(async ctx =>
        {
            var target = new Uri(_backendUri, ctx.Request.Path.Value!.Replace("/front", ""));
            try
            {
                if (ctx.Request.Path.StartsWithSegments("/front/logs")) await proxy.ForwardAsync(ctx, target, passHeaders: false);
                else await proxy.UpgradeAsync(ctx, target);
            }
            catch (StatusException e)
            {
                ctx.Response.StatusCode = e.Code;
                await ctx.Response.WriteAsync(e.Message);
            }
        });
        await _front.StartAsync();
        _frontUri = new Uri(_front.Urls.First());
    }

    public async Task DisposeAsync()
    {
        await _front.DisposeAsync();
        await _backend.DisposeAsync();
    }

    private static WebApplication Start(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(handler);
        return app;
    }

    private static KubeletClientOptions SelfSignedClient()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = new CertificateRequest("CN=system:kube-apiserver", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1));
        return new KubeletClientOptions(cert.ExportCertificatePem(), key.ExportECPrivateKeyPem(), cert.ExportCertificatePem());
    }

    [Fact]
    public async Task A_websocket_tunnel_keeps_kubectls_protocol_and_its_messages()
    {
        var (socket, protocol, response) = await WebSocketHandshake.ConnectAsync(new Uri(_frontUri, "/front/ws"),
            ["SPDY/3.1+portforward.k8s.io"], [], null, CancellationToken.None);
        await using var _ = response;
        Assert.NotNull(socket);
        Assert.Equal("SPDY/3.1+portforward.k8s.io", protocol);
        await socket.SendAsync("ping"u8.ToArray(), WebSocketMessageType.Binary, true, CancellationToken.None);
        var buffer = new byte[100];
        var got = await socket.ReceiveAsync(buffer, CancellationToken.None);
        Assert.Equal("echo:ping", Encoding.ASCII.GetString(buffer, 0, got.Count));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        Assert.Equal(WebSocketState.Closed, socket.State);
    }

    [Fact]
    public async Task A_spdy_upgrade_is_spliced_with_the_negotiated_version()
    {
        await using var response = await UpgradeDialer.DialAsync(new Uri(_frontUri, "/front/spdy"), "POST",
            [new("Connection", "Upgrade"), new("Upgrade", "SPDY/3.1"), new(StreamProtocols.ProtocolHeader, "v5.channel.k8s.io"), new(StreamProtocols.ProtocolHeader, "v4.channel.k8s.io")],
            null, CancellationToken.None);
        Assert.Equal(101, response.StatusCode);
        Assert.Equal("v4.channel.k8s.io", response.Header(StreamProtocols.ProtocolHeader));
        await response.Stream.WriteAsync("raw-bytes"u8.ToArray());
        var buffer = new byte[100];
        var n = await response.Stream.ReadAsync(buffer);
        Assert.Equal("raw-bytes", Encoding.ASCII.GetString(buffer, 0, n));
    }

    [Fact]
    public async Task A_refusal_reaches_the_client_as_the_kubelets_status()
    {
        var (socket, _, response) = await WebSocketHandshake.ConnectAsync(new Uri(_frontUri, "/front/refuse"), ["v5.channel.k8s.io"], [], null, CancellationToken.None);
        await using var __ = response;
        Assert.Null(socket);
        Assert.Equal(404, response.StatusCode);
        Assert.Equal("container \"x\" is not running", Encoding.UTF8.GetString(response.Body));
    }

    [Fact]
    public async Task Logs_stream_through_as_they_come()
    {
        using var http = new HttpClient();
        Assert.Equal("a\nb\n", await http.GetStringAsync(new Uri(_frontUri, "/front/logs")));
    }
}
