using System.Buffers;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;

namespace Skiff.Streaming;

/// <summary>Reading whole WebSocket messages and pumping them between a WebSocket and a byte stream.</summary>
public static class WebSocketMessages
{
    /// <summary>Whole binary or text messages until the peer closes (the close is answered).</summary>
    public static async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAsync(WebSocket socket, [EnumeratorCancellation] CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            var message = new MemoryStream();
            while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                ValueWebSocketReceiveResult result;
                try { result = await socket.ReceiveAsync(buffer.AsMemory(), ct).ConfigureAwait(false); }
                catch (WebSocketException) { yield break; }
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        try { await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct).ConfigureAwait(false); }
                        catch (WebSocketException) { }
                    }
                    yield break;
                }
                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage) continue;
                yield return message.ToArray();
                message.SetLength(0);
            }
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }

    /// <summary>
    /// Tunnels a byte stream through WebSocket binary messages both ways (kubectl's SPDY-in-WebSocket port
    /// forwarding) until either side ends; then both are closed.
    /// </summary>
    public static async Task TunnelAsync(WebSocket socket, Stream stream, CancellationToken ct)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var inbound = Task.Run(async () =>
        {
            await foreach (var message in ReadAsync(socket, both.Token).ConfigureAwait(false))
            {
                await stream.WriteAsync(message, both.Token).ConfigureAwait(false);
                await stream.FlushAsync(both.Token).ConfigureAwait(false);
            }
        }, both.Token);
        var outbound = Task.Run(async () =>
        {
            var buffer = new byte[32 * 1024];
            int n;
            while ((n = await stream.ReadAsync(buffer, both.Token).ConfigureAwait(false)) > 0)
                await socket.SendAsync(buffer.AsMemory(0, n), WebSocketMessageType.Binary, true, both.Token).ConfigureAwait(false);
        }, both.Token);
        try { await Task.WhenAny(inbound, outbound).ConfigureAwait(false); }
        finally
        {
            both.Cancel();
            try { await Task.WhenAll(inbound, outbound).ConfigureAwait(false); }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException) { }
            await stream.DisposeAsync().ConfigureAwait(false);
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                try { await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false); }
                catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException) { }
            }
        }
    }

    /// <summary>Copies two byte streams into each other until either ends (a raw upgraded connection passed through).</summary>
    public static async Task SpliceAsync(Stream a, Stream b, CancellationToken ct)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var ab = CopyAsync(a, b, both.Token);
        var ba = CopyAsync(b, a, both.Token);
        try { await Task.WhenAny(ab, ba).ConfigureAwait(false); }
        finally
        {
            both.Cancel();
            try { await Task.WhenAll(ab, ba).ConfigureAwait(false); }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException) { }
        }
    }

    private static async Task CopyAsync(Stream from, Stream to, CancellationToken ct)
    {
        var buffer = new byte[32 * 1024];
        int n;
        while ((n = await from.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            await to.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
            await to.FlushAsync(ct).ConfigureAwait(false);
        }
    }
}
