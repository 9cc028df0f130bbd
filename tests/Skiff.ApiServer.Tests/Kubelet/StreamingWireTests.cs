using System.IO.Compression;
using System.Text;
using Skiff.Streaming;
using Skiff.Streaming.Spdy;

namespace Skiff.ApiServer.Tests.Kubelet;

/// <summary>The wire formats of Skiff.Streaming: SPDY/3.1 frames and header blocks, the WebSocket handshake, channel negotiation.</summary>
public sealed class StreamingWireTests
{
    [Fact]
    public async Task Data_and_control_frames_round_trip()
    {
        var wire = new MemoryStream();
        wire.Write(SpdyFrame.Data(5, "hello"u8, fin: true));
        wire.Write(SpdyFrame.Ping(7));
        wire.Write(SpdyFrame.RstStream(3, 5));
        wire.Write(SpdyFrame.SynStream(1, [1, 2, 3]));
        wire.Position = 0;

        var data = (await SpdyFrame.ReadAsync(wire, CancellationToken.None))!.Value;
        Assert.Equal((SpdyFrameType.Data, 5u, true, "hello"), (data.Type, data.StreamId, data.IsFin, Encoding.ASCII.GetString(data.Payload.Span)));
        var ping = (await SpdyFrame.ReadAsync(wire, CancellationToken.None))!.Value;
        Assert.Equal(SpdyFrameType.Ping, ping.Type);
        Assert.Equal([0, 0, 0, 7], ping.Payload.ToArray());
        var rst = (await SpdyFrame.ReadAsync(wire, CancellationToken.None))!.Value;
        Assert.Equal((SpdyFrameType.RstStream, 3u), (rst.Type, rst.StreamId));
        var syn = (await SpdyFrame.ReadAsync(wire, CancellationToken.None))!.Value;
        Assert.Equal((SpdyFrameType.SynStream, 1u), (syn.Type, syn.StreamId));
        Assert.Equal([1, 2, 3], syn.HeaderBlock.ToArray());
        Assert.Null(await SpdyFrame.ReadAsync(wire, CancellationToken.None));
    }

    [Fact]
    public void Control_frames_carry_version_3_and_a_24_bit_length()
    {
        var frame = SpdyFrame.GoAway(9);
        Assert.Equal([0x80, 0x03, 0x00, 0x07, 0x00, 0x00, 0x00, 0x08], frame[..8]);
        var data = SpdyFrame.Data(0x7FFFFFFF, new byte[70000], fin: false);
        Assert.Equal([0x7F, 0xFF, 0xFF, 0xFF, 0x00, 0x01, 0x11, 0x70], data[..8]);
    }

    [Fact]
    public void Header_blocks_are_lower_case_and_one_zlib_stream_per_connection()
    {
        using var writer = new SpdyHeaderWriter();
        var first = writer.Encode([new("streamType", "error"), new("Port", "8080")]);
        var second = writer.Encode([new("streamType", "data")]);

        // A peer inflates the blocks in order with one context; each block ends on a sync flush.
        using var inflate = new ZLibStream(new MemoryStream([.. first, .. second]), CompressionMode.Decompress);
        var raw = new MemoryStream();
        try { inflate.CopyTo(raw); } catch (InvalidDataException) { } // the stream never ends: no final block
        var bytes = raw.ToArray();
        var one = SpdyHeaderWriter.ParseRaw(bytes);
        Assert.Equal([new("streamtype", "error"), new("port", "8080")], one);
        var two = SpdyHeaderWriter.ParseRaw(bytes.AsSpan(SpdyHeaderWriter.Raw([new("streamType", "error"), new("Port", "8080")]).Length));
        Assert.Equal([new KeyValuePair<string, string>("streamtype", "data")], two);
    }

    [Fact]
    public void The_accept_value_is_rfc6455s()
    {
        // The example of RFC 6455 section 1.3.
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketHandshake.AcceptValue("dGhlIHNhbXBsZSBub25jZQ=="));
    }

    [Fact]
    public void The_first_offered_protocol_both_know_wins()
    {
        Assert.Equal("v5.channel.k8s.io", StreamProtocols.Choose(["v5.channel.k8s.io"], StreamProtocols.RemoteCommandWebSocket));
        Assert.Equal("v4.channel.k8s.io", StreamProtocols.Choose(["v3.channel.k8s.io, v4.channel.k8s.io"], StreamProtocols.RemoteCommandWebSocket));
        Assert.Null(StreamProtocols.Choose(["channel.k8s.io"], StreamProtocols.RemoteCommandWebSocket));
        Assert.Equal("SPDY/3.1+portforward.k8s.io", StreamProtocols.Choose(["SPDY/3.1+portforward.k8s.io"], ["SPDY/3.1+portforward.k8s.io"]));
    }

    [Fact]
    public void Exec_options_come_from_the_query_and_a_tty_has_no_stderr()
    {
        var query = new Dictionary<string, string[]> { ["stdin"] = ["true"], ["stderr"] = ["1"], ["tty"] = ["true"], ["command"] = ["sh", "-c", "x"] };
        var options = RemoteCommandOptions.FromQuery(n => query.GetValueOrDefault(n, []));
        Assert.Equal((true, false, false, true), (options.Stdin, options.Stdout, options.Stderr, options.Tty));
        Assert.Equal(["sh", "-c", "x"], options.Command);
        Assert.True(options.HasStreams);
    }
}
