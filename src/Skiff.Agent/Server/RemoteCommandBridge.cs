using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Skiff.Streaming;
using Skiff.Streaming.Spdy;

namespace Skiff.Agent.Server;

/// <summary>
/// One exec or attach session: the caller's WebSocket (v5 or v4 channel protocol) on one side, the
/// runtime's streaming server on the other, reached over SPDY/3.1 with the v4 protocol (the newest
/// containerd 1.6 knows, and, unlike WebSocket v4, able to half-close stdin). Stdin and resize messages go
/// to their SPDY streams, v5's close of channel 0 becomes stdin's FIN, stdout and stderr come back on
/// channels 1 and 2, and the runtime's final Status (exit code included) on channel 3, after which the
/// WebSocket is closed normally.
/// </summary>
public sealed class RemoteCommandBridge(ILogger log)
{
    public async Task RunAsync(WebSocket socket, string protocol, Uri streamingUrl, RemoteCommandOptions options, CancellationToken ct)
    {
        var send = new SemaphoreSlim(1, 1);
        using var session = CancellationTokenSource.CreateLinkedTokenSource(ct);
        UpgradeResponse upgraded;
        try
        {
            upgraded = await UpgradeDialer.DialAsync(streamingUrl, "POST",
                [new(StreamProtocols.ProtocolHeader, StreamProtocols.V4Channel), new("Connection", "Upgrade"), new("Upgrade", StreamProtocols.SpdyUpgrade)],
                null, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            await FailAsync(socket, send, $"cannot reach the runtime's streaming server: {e.Message}", ct).ConfigureAwait(false);
            return;
        }
        await using var _ = upgraded;
        if (upgraded.StatusCode != 101)
        {
            await FailAsync(socket, send, $"the runtime's streaming server answered {upgraded.StatusCode}: {Encoding.UTF8.GetString(upgraded.Body).Trim()}", ct).ConfigureAwait(false);
            return;
        }

        await using var spdy = new SpdyClientConnection(upgraded.Stream);
        var reading = spdy.RunAsync(session.Token);
        // The order matters only for readability of traces; the server matches streams by their type header.
        var error = await Open(spdy, "error", session.Token).ConfigureAwait(false);
        var stdin = options.Stdin ? await Open(spdy, "stdin", session.Token).ConfigureAwait(false) : null;
        var stdout = options.Stdout ? await Open(spdy, "stdout", session.Token).ConfigureAwait(false) : null;
        var stderr = options.Stderr ? await Open(spdy, "stderr", session.Token).ConfigureAwait(false) : null;
        var resize = options.Tty ? await Open(spdy, "resize", session.Token).ConfigureAwait(false) : null;

        var outputs = new List<Task>();
        if (stdout is not null) outputs.Add(CopyToSocketAsync(stdout, StreamProtocols.Stdout, socket, send, session.Token));
        if (stderr is not null) outputs.Add(CopyToSocketAsync(stderr, StreamProtocols.Stderr, socket, send, session.Token));
        var status = ReadAllAsync(error, session.Token);
        var input = CopyFromSocketAsync(socket, protocol, stdin, resize, session.Token);

        try
        {
            var statusBytes = await status.ConfigureAwait(false);
            await Task.WhenAll(outputs).WaitAsync(TimeSpan.FromSeconds(10), session.Token).ConfigureAwait(false);
            if (statusBytes.Length > 0) await SendAsync(socket, send, StreamProtocols.Error, statusBytes, session.Token).ConfigureAwait(false);
            await CloseAsync(socket, send).ConfigureAwait(false);
            // Cancelling a pending receive aborts the socket; give the caller time to answer the close first.
            try { await input.WaitAsync(TimeSpan.FromSeconds(5), ct).ConfigureAwait(false); }
            catch (TimeoutException) { }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException or TimeoutException)
        {
            log.LogDebug(e, "Streaming session to {Url} ended early", streamingUrl.GetLeftPart(UriPartial.Authority));
        }
        finally
        {
            session.Cancel();
            try { await Task.WhenAll(input, reading).ConfigureAwait(false); }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException) { }
        }
    }

    private static async Task<SpdyStream> Open(SpdyClientConnection spdy, string type, CancellationToken ct) =>
        await spdy.OpenStreamAsync([new("streamType", type)], ct).ConfigureAwait(false);

    private static async Task CopyToSocketAsync(SpdyStream from, byte channel, WebSocket socket, SemaphoreSlim send, CancellationToken ct)
    {
        await foreach (var chunk in from.ReadAllAsync(ct).ConfigureAwait(false))
            await SendAsync(socket, send, channel, chunk, ct).ConfigureAwait(false);
    }

    private static async Task<byte[]> ReadAllAsync(SpdyStream from, CancellationToken ct)
    {
        var all = new MemoryStream();
        try
        {
            await foreach (var chunk in from.ReadAllAsync(ct).ConfigureAwait(false)) all.Write(chunk.Span);
        }
        catch (IOException) { }
        return all.ToArray();
    }

    private static async Task CopyFromSocketAsync(WebSocket socket, string protocol, SpdyStream? stdin, SpdyStream? resize, CancellationToken ct)
    {
        var supportsClose = protocol == StreamProtocols.V5Channel;
        await foreach (var message in WebSocketMessages.ReadAsync(socket, ct).ConfigureAwait(false))
        {
            if (message.Length == 0) continue;
            var channel = message.Span[0];
            var data = message[1..];
            switch (channel)
            {
                case StreamProtocols.Stdin when stdin is not null:
                    if (data.Length > 0) await stdin.WriteAsync(data, ct).ConfigureAwait(false);
                    break;
                case StreamProtocols.Resize when resize is not null:
                    await resize.WriteAsync(data, ct).ConfigureAwait(false);
                    break;
                case StreamProtocols.Close when supportsClose && data.Length == 1:
                    if (data.Span[0] == StreamProtocols.Stdin && stdin is not null) await stdin.CloseAsync(ct).ConfigureAwait(false);
                    break;
            }
        }
        // The caller went away without v5's close message: stdin ends with it.
        if (stdin is not null) await stdin.CloseAsync(ct).ConfigureAwait(false);
    }

    internal static async Task SendAsync(WebSocket socket, SemaphoreSlim send, byte channel, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        var message = new byte[data.Length + 1];
        message[0] = channel;
        data.CopyTo(message.AsMemory(1));
        await send.WaitAsync(ct).ConfigureAwait(false);
        try { await socket.SendAsync(message, WebSocketMessageType.Binary, true, ct).ConfigureAwait(false); }
        finally { send.Release(); }
    }

    internal static async Task CloseAsync(WebSocket socket, SemaphoreSlim send)
    {
        await send.WaitAsync().ConfigureAwait(false);
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException) { }
        finally { send.Release(); }
    }

    /// <summary>Ends a session that never reached the runtime: a Failure Status on the error channel, then close.</summary>
    public static async Task FailAsync(WebSocket socket, SemaphoreSlim send, string message, CancellationToken ct)
    {
        var status = System.Text.Encoding.UTF8.GetBytes(new System.Text.Json.Nodes.JsonObject
        {
            ["metadata"] = new System.Text.Json.Nodes.JsonObject(), ["status"] = "Failure", ["message"] = message, ["reason"] = "InternalError", ["code"] = 500,
        }.ToJsonString());
        try { await SendAsync(socket, send, StreamProtocols.Error, status, ct).ConfigureAwait(false); }
        catch (Exception e) when (e is WebSocketException or IOException) { }
        await CloseAsync(socket, send).ConfigureAwait(false);
    }
}
