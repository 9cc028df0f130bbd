using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Skiff.Streaming.Spdy;

/// <summary>
/// The client side of a SPDY/3.1 connection, enough for Kubernetes' remote command protocol: it opens
/// streams (odd ids) with headers, sends data and half-closes (FIN), receives data per stream, answers
/// pings, and ends every stream when the peer resets it, says GOAWAY or drops the connection. Header
/// blocks the server sends (SYN_REPLY) are not decoded: nothing in the protocol needs them. Flow control
/// windows are not enforced in either direction, as Kubernetes' SPDY library does not enforce them.
/// Thread-safety: any thread may write; one read loop (<see cref="RunAsync"/>) delivers data.
/// </summary>
public sealed class SpdyClientConnection : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SpdyHeaderWriter _headers = new();
    private readonly ConcurrentDictionary<uint, SpdyStream> _streams = new();
    private uint _nextId = 1;

    public SpdyClientConnection(Stream stream) => _stream = stream;

    /// <summary>Opens a stream announced with <paramref name="headers"/> (e.g. streamType: stdout).</summary>
    public async Task<SpdyStream> OpenStreamAsync(IReadOnlyList<KeyValuePair<string, string>> headers, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var id = _nextId;
            _nextId += 2;
            var stream = new SpdyStream(this, id);
            _streams[id] = stream;
            var frame = SpdyFrame.SynStream(id, _headers.Encode(headers));
            await _stream.WriteAsync(frame, ct).ConfigureAwait(false);
            await _stream.FlushAsync(ct).ConfigureAwait(false);
            return stream;
        }
        finally { _writeLock.Release(); }
    }

    /// <summary>Reads frames until the connection ends; then every stream's reader completes.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            while (await SpdyFrame.ReadAsync(_stream, ct).ConfigureAwait(false) is { } frame)
            {
                switch (frame.Type)
                {
                    case SpdyFrameType.Data:
                        if (_streams.TryGetValue(frame.StreamId, out var s))
                        {
                            if (frame.Payload.Length > 0) await s.Incoming.Writer.WriteAsync(frame.Payload, ct).ConfigureAwait(false);
                            if (frame.IsFin) s.Incoming.Writer.TryComplete();
                        }
                        break;
                    case SpdyFrameType.SynReply:
                        if (_streams.TryGetValue(frame.StreamId, out var replied))
                        {
                            replied.Replied.TrySetResult();
                            if (frame.IsFin) replied.Incoming.Writer.TryComplete();
                        }
                        break;
                    case SpdyFrameType.RstStream:
                        if (_streams.TryGetValue(frame.StreamId, out var reset))
                        {
                            reset.Replied.TrySetResult();
                            reset.Incoming.Writer.TryComplete(new IOException($"the server reset stream {frame.StreamId}"));
                        }
                        break;
                    case SpdyFrameType.Ping:
                        await SendAsync(SpdyFrame.Control(SpdyFrameType.Ping, 0, frame.Payload.Span), ct).ConfigureAwait(false);
                        break;
                    case SpdyFrameType.SynStream:
                        // Servers do not push streams in this protocol.
                        await SendAsync(SpdyFrame.RstStream(frame.StreamId, 1), ct).ConfigureAwait(false);
                        break;
                    case SpdyFrameType.GoAway:
                        return;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidDataException) { }
        finally
        {
            foreach (var s in _streams.Values)
            {
                s.Replied.TrySetResult();
                s.Incoming.Writer.TryComplete();
            }
        }
    }

    internal async Task SendAsync(byte[] frame, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(frame, ct).ConfigureAwait(false);
            await _stream.FlushAsync(ct).ConfigureAwait(false);
        }
        finally { _writeLock.Release(); }
    }

    public async ValueTask DisposeAsync()
    {
        // A courtesy to the peer: the transport may already be gone (a closed socket, an aborted WebSocket).
        try { await SendAsync(SpdyFrame.GoAway(_nextId - 2), CancellationToken.None).ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException or System.Net.WebSockets.WebSocketException) { }
        await _stream.DisposeAsync().ConfigureAwait(false);
        _headers.Dispose();
    }
}

/// <summary>One SPDY stream of a <see cref="SpdyClientConnection"/>.</summary>
public sealed class SpdyStream
{
    private readonly SpdyClientConnection _connection;
    private bool _closed;

    internal SpdyStream(SpdyClientConnection connection, uint id)
    {
        _connection = connection;
        Id = id;
    }

    public uint Id { get; }
    internal Channel<ReadOnlyMemory<byte>> Incoming { get; } = Channel.CreateUnbounded<ReadOnlyMemory<byte>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    internal TaskCompletionSource Replied { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the server accepted (or refused) the stream.</summary>
    public Task WaitRepliedAsync(CancellationToken ct) => Replied.Task.WaitAsync(ct);

    /// <summary>The data the server sends on this stream, until it half-closes.</summary>
    public IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAllAsync(CancellationToken ct) => Incoming.Reader.ReadAllAsync(ct);

    public async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        for (var offset = 0; offset < data.Length; offset += 32 * 1024)
        {
            var chunk = data.Slice(offset, Math.Min(32 * 1024, data.Length - offset));
            await _connection.SendAsync(SpdyFrame.Data(Id, chunk.Span, fin: false), ct).ConfigureAwait(false);
        }
    }

    /// <summary>Half-closes: the server reads end of stream (stdin EOF).</summary>
    public async Task CloseAsync(CancellationToken ct)
    {
        if (_closed) return;
        _closed = true;
        await _connection.SendAsync(SpdyFrame.Data(Id, [], fin: true), ct).ConfigureAwait(false);
    }
}
