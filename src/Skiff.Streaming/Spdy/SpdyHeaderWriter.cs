using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Skiff.Streaming.Spdy;

/// <summary>
/// Encodes SPDY/3 header blocks: a count, then length-prefixed lower-case names and values, compressed
/// by one zlib stream per connection and direction, each block ended with a sync flush. SPDY allows a
/// preset dictionary but does not require it: a stream written without one (no FDICT bit) is read by
/// every peer, including Go's framer. Not thread-safe: the connection serialises writes.
/// </summary>
public sealed class SpdyHeaderWriter : IDisposable
{
    private readonly MemoryStream _output = new();
    private readonly ZLibStream _zlib;

    public SpdyHeaderWriter() => _zlib = new ZLibStream(_output, CompressionLevel.Fastest, leaveOpen: true);

    public byte[] Encode(IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        var raw = Raw(headers);
        _zlib.Write(raw);
        _zlib.Flush();
        var block = _output.ToArray();
        _output.SetLength(0);
        return block;
    }

    /// <summary>The uncompressed block; names are lower-cased as SPDY/3 requires.</summary>
    public static byte[] Raw(IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        var buffer = new MemoryStream();
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, headers.Count);
        buffer.Write(word);
        foreach (var (name, value) in headers)
        {
            foreach (var text in new[] { name.ToLowerInvariant(), value })
            {
                var bytes = Encoding.UTF8.GetBytes(text);
                BinaryPrimitives.WriteInt32BigEndian(word, bytes.Length);
                buffer.Write(word);
                buffer.Write(bytes);
            }
        }
        return buffer.ToArray();
    }

    /// <summary>Parses an uncompressed block (for tests and diagnostics).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ParseRaw(ReadOnlySpan<byte> block)
    {
        var count = BinaryPrimitives.ReadInt32BigEndian(block);
        var result = new List<KeyValuePair<string, string>>(count);
        var i = 4;
        for (var n = 0; n < count; n++)
        {
            var nameLength = BinaryPrimitives.ReadInt32BigEndian(block[i..]);
            var name = Encoding.UTF8.GetString(block.Slice(i + 4, nameLength));
            i += 4 + nameLength;
            var valueLength = BinaryPrimitives.ReadInt32BigEndian(block[i..]);
            var value = Encoding.UTF8.GetString(block.Slice(i + 4, valueLength));
            i += 4 + valueLength;
            result.Add(new(name, value));
        }
        return result;
    }

    public void Dispose()
    {
        _zlib.Dispose();
        _output.Dispose();
    }
}
