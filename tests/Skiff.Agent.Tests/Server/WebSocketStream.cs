using System.Net.WebSockets;

namespace Skiff.Agent.Tests.Server;

/// <summary>A byte stream over WebSocket binary messages: what kubectl's SPDY tunnel does.</summary>
internal sealed class WebSocketStream(WebSocket socket) : Stream
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _offset, _count;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        while (_count == 0)
        {
            if (socket.State is not (WebSocketState.Open or WebSocketState.CloseSent)) return 0;
            var result = await socket.ReceiveAsync(_buffer.AsMemory(), ct);
            if (result.MessageType == WebSocketMessageType.Close) return 0;
            _offset = 0;
            _count = result.Count;
        }
        var n = Math.Min(buffer.Length, _count);
        _buffer.AsMemory(_offset, n).CopyTo(buffer);
        _offset += n;
        _count -= n;
        return n;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default) =>
        socket.SendAsync(buffer, WebSocketMessageType.Binary, true, ct);

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) => WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();
    public override void Flush() { }
    public override Task FlushAsync(CancellationToken ct) => Task.CompletedTask;
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
