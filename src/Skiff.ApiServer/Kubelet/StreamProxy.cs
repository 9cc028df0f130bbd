using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Skiff.ApiServer.Errors;
using Skiff.Streaming;

namespace Skiff.ApiServer.Kubelet;

/// <summary>
/// Forwards one client request to a backend (a kubelet, a pod) and its answer back: plain requests with
/// the body streamed as it comes (logs with follow), WebSocket sessions message by message with the
/// subprotocol the backend chose, and SPDY upgrades as raw bytes. Upstream's UpgradeAwareHandler in
/// spirit. Stateless; safe for concurrent requests.
/// </summary>
public sealed class StreamProxy(KubeletTransport transport)
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
        "Host", "Authorization", "Content-Length",
    };

    /// <summary>Upgrades (WebSocket or SPDY) are passed through; anything else answers 400 as upstream does.</summary>
    public async Task UpgradeAsync(HttpContext ctx, Uri target)
    {
        if (WebSocketHandshake.IsWebSocketRequest(ctx))
        {
            await WebSocketAsync(ctx, target).ConfigureAwait(false);
            return;
        }
        if (ctx.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true }
            && ctx.Request.Headers.Upgrade.ToString().StartsWith("SPDY/", StringComparison.OrdinalIgnoreCase))
        {
            await SpdyAsync(ctx, target).ConfigureAwait(false);
            return;
        }
        throw StatusException.BadRequest("Upgrade request required");
    }

    private async Task WebSocketAsync(HttpContext ctx, Uri target)
    {
        var ct = ctx.RequestAborted;
        var wss = new UriBuilder(target) { Scheme = target.Scheme == "https" ? "wss" : "ws" }.Uri;
        var (backend, protocol, response) = await WebSocketHandshake.ConnectAsync(wss, WebSocketHandshake.RequestedProtocols(ctx), [],
            target.Scheme == "https" ? transport.Tls() : null, ct).ConfigureAwait(false);
        await using var _ = response;
        if (backend is null) throw Refused(response);
        using (backend)
        {
            using var client = await WebSocketHandshake.AcceptAsync(ctx, protocol).ConfigureAwait(false);
            using var both = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var up = PumpAsync(client, backend, both.Token);
            var down = PumpAsync(backend, client, both.Token);
            await Task.WhenAny(up, down).ConfigureAwait(false);
            // The first side to close has been answered; let the other finish its close before cutting.
            try { await Task.WhenAll(up, down).WaitAsync(TimeSpan.FromSeconds(5), ct).ConfigureAwait(false); }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException or WebSocketException or IOException) { }
            both.Cancel();
        }
    }

    /// <summary>Copies whole messages from <paramref name="from"/> to <paramref name="to"/>; a close is passed on.</summary>
    private static async Task PumpAsync(WebSocket from, WebSocket to, CancellationToken ct)
    {
        try
        {
            await foreach (var message in WebSocketMessages.ReadAsync(from, ct).ConfigureAwait(false))
                await to.SendAsync(message, WebSocketMessageType.Binary, true, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException) { }
        if (to.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try { await to.CloseOutputAsync(from.CloseStatus ?? WebSocketCloseStatus.NormalClosure, from.CloseStatusDescription, timeout.Token).ConfigureAwait(false); }
            catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException) { }
        }
    }

    private async Task SpdyAsync(HttpContext ctx, Uri target)
    {
        var ct = ctx.RequestAborted;
        var headers = new List<KeyValuePair<string, string>> { new("Connection", "Upgrade"), new("Upgrade", ctx.Request.Headers.Upgrade.ToString()) };
        foreach (var v in ctx.Request.Headers[StreamProtocols.ProtocolHeader])
            headers.Add(new(StreamProtocols.ProtocolHeader, v ?? ""));
        await using var response = await UpgradeDialer.DialAsync(target, ctx.Request.Method, headers,
            target.Scheme == "https" ? transport.Tls() : null, ct).ConfigureAwait(false);
        if (response.StatusCode != 101) throw Refused(response);
        if (response.Header(StreamProtocols.ProtocolHeader) is { } chosen) ctx.Response.Headers[StreamProtocols.ProtocolHeader] = chosen;
        ctx.Response.Headers.Upgrade = response.Header("Upgrade") ?? StreamProtocols.SpdyUpgrade;
        var client = await ctx.Features.Get<IHttpUpgradeFeature>()!.UpgradeAsync().ConfigureAwait(false);
        await WebSocketMessages.SpliceAsync(client, response.Stream, ct).ConfigureAwait(false);
    }

    /// <summary>Sends the request to <paramref name="target"/> and streams the answer back, flushing as data arrives.</summary>
    public async Task ForwardAsync(HttpContext ctx, Uri target, HttpClient? http = null, bool passHeaders = true)
    {
        var ct = ctx.RequestAborted;
        using var request = new HttpRequestMessage(new HttpMethod(ctx.Request.Method), target) { Version = new Version(1, 1) };
        if (passHeaders)
        {
            foreach (var (name, values) in ctx.Request.Headers)
                if (!HopByHop.Contains(name) && !name.StartsWith(':') && !name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
                    request.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values!);
        }
        if (ctx.Request.ContentLength > 0 || ctx.Request.Headers.TransferEncoding.Count > 0)
        {
            request.Content = new StreamContent(ctx.Request.Body);
            if (ctx.Request.ContentType is { } type) request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
        }
        HttpResponseMessage response;
        try
        {
            response = await (http ?? transport.Http).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new StatusException(503, "ServiceUnavailable", $"error trying to reach {target.Host}: {e.Message}");
        }
        using (response)
        {
            ctx.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
                if (!HopByHop.Contains(name)) ctx.Response.Headers[name] = values.ToArray();
            ctx.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            var buffer = new byte[16 * 1024];
            int n;
            while ((n = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                await ctx.Response.Body.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                await ctx.Response.Body.FlushAsync(ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A backend's refusal as a Status: its own when it sent one, else its text.</summary>
    public static StatusException Refused(UpgradeResponse response)
    {
        var text = Encoding.UTF8.GetString(response.Body).Trim();
        try
        {
            if (JsonNode.Parse(text) is JsonObject { } status && (string?)status["kind"] == "Status")
                return new StatusException(response.StatusCode, (string?)status["reason"] ?? "InternalError", (string?)status["message"] ?? text);
        }
        catch (System.Text.Json.JsonException) { }
        return new StatusException(response.StatusCode >= 400 ? response.StatusCode : 502, "InternalError", text.Length > 0 ? text : $"the backend answered {response.StatusCode}");
    }
}
