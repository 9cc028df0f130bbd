using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Skiff.Streaming;

/// <summary>
/// The RFC 6455 opening handshake done by hand on both sides. .NET's WebSocket APIs refuse subprotocol
/// names with '/' or '+', but kubectl's port forwarding asks for "SPDY/3.1+portforward.k8s.io"; the frames
/// themselves are left to <see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/>. HTTP/1.1 only.
/// </summary>
public static class WebSocketHandshake
{
    private const string Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(30);

    public static bool IsWebSocketRequest(HttpContext ctx) =>
        HttpMethods.IsGet(ctx.Request.Method)
        && ctx.Request.Headers.Upgrade.ToString().Equals("websocket", StringComparison.OrdinalIgnoreCase)
        && ctx.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true };

    /// <summary>The subprotocols the client offered, in its order.</summary>
    public static IReadOnlyList<string> RequestedProtocols(HttpContext ctx) =>
        ctx.Request.Headers.SecWebSocketProtocol.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();

    /// <summary>Answers 101 with <paramref name="protocol"/> and returns the server side of the connection.</summary>
    public static async Task<WebSocket> AcceptAsync(HttpContext ctx, string? protocol)
    {
        var key = ctx.Request.Headers.SecWebSocketKey.ToString();
        if (key.Length == 0) throw new InvalidOperationException("not a WebSocket request");
        ctx.Response.Headers.Upgrade = "websocket";
        ctx.Response.Headers.Connection = "Upgrade";
        ctx.Response.Headers.SecWebSocketAccept = AcceptValue(key);
        if (protocol is not null) ctx.Response.Headers.SecWebSocketProtocol = protocol;
        var stream = await ctx.Features.Get<IHttpUpgradeFeature>()!.UpgradeAsync().ConfigureAwait(false);
        return WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = KeepAlive });
    }

    /// <summary>
    /// Opens a WebSocket to <paramref name="url"/> (ws, wss, http or https) offering <paramref name="protocols"/>.
    /// On anything but 101 the response (status and body) comes back and the socket is null.
    /// </summary>
    public static async Task<(WebSocket? Socket, string? Protocol, UpgradeResponse Response)> ConnectAsync(Uri url, IReadOnlyList<string> protocols,
        IEnumerable<KeyValuePair<string, string>> headers, SslClientAuthenticationOptions? tls, CancellationToken ct)
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = new List<KeyValuePair<string, string>>
        {
            new("Upgrade", "websocket"), new("Connection", "Upgrade"), new("Sec-WebSocket-Version", "13"), new("Sec-WebSocket-Key", key),
        };
        if (protocols.Count > 0) request.Add(new("Sec-WebSocket-Protocol", string.Join(", ", protocols)));
        request.AddRange(headers);
        var response = await UpgradeDialer.DialAsync(url, "GET", request, tls, ct).ConfigureAwait(false);
        if (response.StatusCode != 101) return (null, null, response);
        if (response.Header("Sec-WebSocket-Accept") != AcceptValue(key))
        {
            await response.DisposeAsync().ConfigureAwait(false);
            throw new WebSocketException(WebSocketError.HeaderError, "the server's Sec-WebSocket-Accept does not match the key");
        }
        var socket = WebSocket.CreateFromStream(response.Stream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = KeepAlive });
        return (socket, response.Header("Sec-WebSocket-Protocol"), response);
    }

    public static string AcceptValue(string key) => Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key.Trim() + Guid)));
}
