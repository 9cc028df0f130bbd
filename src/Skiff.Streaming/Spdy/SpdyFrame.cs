using System.Buffers.Binary;

namespace Skiff.Streaming.Spdy;

/// <summary>SPDY/3.1 frame types (the control frames Kubernetes' streaming uses).</summary>
public enum SpdyFrameType : ushort
{
    Data = 0,
    SynStream = 1,
    SynReply = 2,
    RstStream = 3,
    Settings = 4,
    Ping = 6,
    GoAway = 7,
    Headers = 8,
    WindowUpdate = 9,
}

/// <summary>
/// One SPDY/3 frame as it is on the wire: an 8-byte head (control bit, version 3 and type for control
/// frames, or the stream id for data frames; flags; 24-bit length) and the payload. For control frames
/// with a stream, <see cref="StreamId"/> is read from the payload's first word.
/// </summary>
public readonly record struct SpdyFrame(SpdyFrameType Type, byte Flags, uint StreamId, ReadOnlyMemory<byte> Payload)
{
    public const byte FlagFin = 0x01;
    public const byte FlagUnidirectional = 0x02;
    public const int HeadLength = 8;
    public const int MaxLength = 0xFFFFFF;

    public bool IsFin => (Flags & FlagFin) != 0;

    /// <summary>Encodes a data frame (stream ids are 31 bits).</summary>
    public static byte[] Data(uint streamId, ReadOnlySpan<byte> data, bool fin)
    {
        if (data.Length > MaxLength) throw new ArgumentOutOfRangeException(nameof(data), "a SPDY frame carries at most 16 MiB");
        var frame = new byte[HeadLength + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, streamId & 0x7FFFFFFF);
        WriteFlagsAndLength(frame, fin ? FlagFin : (byte)0, data.Length);
        data.CopyTo(frame.AsSpan(HeadLength));
        return frame;
    }

    /// <summary>Encodes a control frame with <paramref name="payload"/> as given (stream ids included by the caller).</summary>
    public static byte[] Control(SpdyFrameType type, byte flags, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[HeadLength + payload.Length];
        frame[0] = 0x80;
        frame[1] = 3;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)type);
        WriteFlagsAndLength(frame, flags, payload.Length);
        payload.CopyTo(frame.AsSpan(HeadLength));
        return frame;
    }

    public static byte[] SynStream(uint streamId, byte[] compressedHeaders, byte flags = 0)
    {
        var payload = new byte[10 + compressedHeaders.Length];
        BinaryPrimitives.WriteUInt32BigEndian(payload, streamId & 0x7FFFFFFF);
        // associated stream 0, priority 0, slot 0
        compressedHeaders.CopyTo(payload, 10);
        return Control(SpdyFrameType.SynStream, flags, payload);
    }

    public static byte[] SynReply(uint streamId, byte[] compressedHeaders, byte flags = 0)
    {
        var payload = new byte[4 + compressedHeaders.Length];
        BinaryPrimitives.WriteUInt32BigEndian(payload, streamId & 0x7FFFFFFF);
        compressedHeaders.CopyTo(payload, 4);
        return Control(SpdyFrameType.SynReply, flags, payload);
    }

    public static byte[] RstStream(uint streamId, uint status)
    {
        Span<byte> payload = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(payload, streamId & 0x7FFFFFFF);
        BinaryPrimitives.WriteUInt32BigEndian(payload[4..], status);
        return Control(SpdyFrameType.RstStream, 0, payload);
    }

    public static byte[] Ping(uint id)
    {
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, id);
        return Control(SpdyFrameType.Ping, 0, payload);
    }

    public static byte[] GoAway(uint lastGoodStreamId, uint status = 0)
    {
        Span<byte> payload = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(payload, lastGoodStreamId & 0x7FFFFFFF);
        BinaryPrimitives.WriteUInt32BigEndian(payload[4..], status);
        return Control(SpdyFrameType.GoAway, 0, payload);
    }

    /// <summary>Reads one whole frame; null at a clean end of stream between frames.</summary>
    public static async Task<SpdyFrame?> ReadAsync(Stream stream, CancellationToken ct)
    {
        var head = new byte[HeadLength];
        if (!await ReadExactlyOrEndAsync(stream, head, ct).ConfigureAwait(false)) return null;
        var length = (head[5] << 16) | (head[6] << 8) | head[7];
        var payload = new byte[length];
        if (length > 0) await stream.ReadExactlyAsync(payload, ct).ConfigureAwait(false);
        var flags = head[4];
        if ((head[0] & 0x80) == 0)
            return new SpdyFrame(SpdyFrameType.Data, flags, BinaryPrimitives.ReadUInt32BigEndian(head) & 0x7FFFFFFF, payload);

        var version = BinaryPrimitives.ReadUInt16BigEndian(head) & 0x7FFF;
        if (version != 3) throw new InvalidDataException($"SPDY version {version} is not supported");
        var type = (SpdyFrameType)BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(2));
        var streamId = type is SpdyFrameType.SynStream or SpdyFrameType.SynReply or SpdyFrameType.RstStream
            or SpdyFrameType.Headers or SpdyFrameType.WindowUpdate && length >= 4
            ? BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7FFFFFFF
            : 0;
        return new SpdyFrame(type, flags, streamId, payload);
    }

    /// <summary>The compressed header block of a SYN_STREAM, SYN_REPLY or HEADERS frame.</summary>
    public ReadOnlyMemory<byte> HeaderBlock => Type switch
    {
        SpdyFrameType.SynStream => Payload[10..],
        SpdyFrameType.SynReply or SpdyFrameType.Headers => Payload[4..],
        _ => ReadOnlyMemory<byte>.Empty,
    };

    private static void WriteFlagsAndLength(Span<byte> frame, byte flags, int length)
    {
        frame[4] = flags;
        frame[5] = (byte)(length >> 16);
        frame[6] = (byte)(length >> 8);
        frame[7] = (byte)length;
    }

    private static async Task<bool> ReadExactlyOrEndAsync(Stream stream, byte[] buffer, CancellationToken ct)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(filled), ct).ConfigureAwait(false);
            if (n == 0)
            {
                if (filled == 0) return false;
                throw new EndOfStreamException("the connection closed inside a SPDY frame");
            }
            filled += n;
        }
        return true;
    }
}
