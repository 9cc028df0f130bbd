using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Skiff.Api.Json;
using Skiff.Client.Typed;

namespace Skiff.Client.Watch;

/// <summary>
/// Decodes one watch response body: newline-delimited <c>{"type":…,"object":…}</c> documents, each object
/// decoded once, straight from the pipe's buffer, into <typeparamref name="T"/> (no intermediate string or tree).
/// One reader per response; not thread-safe.
/// </summary>
internal static class WatchStreamReader
{
    public static async IAsyncEnumerable<WatchEvent<T>> ReadAsync<T>(Stream body, IObjectCodec<T> codec,
        [EnumeratorCancellation] CancellationToken ct) where T : class
    {
        var pipe = PipeReader.Create(body, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        try
        {
            while (true)
            {
                var result = await pipe.ReadAsync(ct).ConfigureAwait(false);
                var buffer = result.Buffer;
                var events = new List<WatchEvent<T>>();
                while (TryReadLine(ref buffer, out var line))
                {
                    if (line.Length == 0) continue;
                    events.Add(Decode(line, codec));
                }
                pipe.AdvanceTo(buffer.Start, buffer.End);
                foreach (var e in events) yield return e;
                if (result.IsCompleted)
                {
                    // A last document without a trailing newline.
                    if (!buffer.IsEmpty && !IsWhitespace(buffer)) yield return Decode(buffer, codec);
                    yield break;
                }
            }
        }
        finally
        {
            await pipe.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is null) { line = default; return false; }
        line = buffer.Slice(0, newline.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        return true;
    }

    private static bool IsWhitespace(ReadOnlySequence<byte> b)
    {
        foreach (var seg in b) foreach (var x in seg.Span) if (x is not ((byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t')) return false;
        return true;
    }

    internal static WatchEvent<T> Decode<T>(ReadOnlySequence<byte> line, IObjectCodec<T> codec) where T : class
    {
        if (line.IsSingleSegment) return Decode(line.FirstSpan, codec);
        var rented = ArrayPool<byte>.Shared.Rent((int)line.Length);
        try
        {
            line.CopyTo(rented);
            return Decode(rented.AsSpan(0, (int)line.Length), codec);
        }
        finally { ArrayPool<byte>.Shared.Return(rented); }
    }

    internal static WatchEvent<T> Decode<T>(ReadOnlySpan<byte> line, IObjectCodec<T> codec) where T : class
    {
        var reader = new Utf8JsonReader(line);
        string? type = null;
        int objStart = -1, objEnd = -1;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new JsonException("watch event is not an object");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8)) { reader.Read(); type = reader.GetString(); }
            else if (reader.ValueTextEquals("object"u8))
            {
                reader.Read();
                objStart = (int)reader.TokenStartIndex;
                reader.Skip();
                objEnd = (int)reader.BytesConsumed;
            }
            else { reader.Read(); reader.Skip(); }
        }
        if (type is null || objStart < 0) throw new JsonException("watch event without type or object");
        var obj = line[objStart..objEnd];
        switch (type)
        {
            case "ERROR":
                var status = ModelJson.Deserialize<Skiff.Api.Models.Meta.V1.Status>(obj);
                return new WatchEvent<T>(WatchEventType.Error, null, "", status);
            case "BOOKMARK":
                return new WatchEvent<T>(WatchEventType.Bookmark, null, BookmarkVersion(obj));
            default:
                var t = type switch
                {
                    "ADDED" => WatchEventType.Added,
                    "MODIFIED" => WatchEventType.Modified,
                    "DELETED" => WatchEventType.Deleted,
                    _ => throw new JsonException($"unknown watch event type {type}"),
                };
                var value = codec.Deserialize(obj);
                return new WatchEvent<T>(t, value, codec.ResourceVersion(value) ?? "");
        }
    }

    /// <summary>metadata.resourceVersion of a bookmark, read without building the object.</summary>
    private static string BookmarkVersion(ReadOnlySpan<byte> obj)
    {
        var r = new Utf8JsonReader(obj);
        r.Read();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("metadata"u8))
            {
                r.Read();
                while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                {
                    if (r.ValueTextEquals("resourceVersion"u8)) { r.Read(); return r.GetString() ?? ""; }
                    r.Read(); r.Skip();
                }
                return "";
            }
            r.Read(); r.Skip();
        }
        return "";
    }
}
