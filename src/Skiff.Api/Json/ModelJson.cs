using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.Api.Models;

namespace Skiff.Api.Json;

/// <summary>
/// Reads and writes the generated models that implement <see cref="IJsonModel{TSelf}"/>, and the helpers their
/// generated code calls. The wire form is System.Text.Json's for the same classes (their [JsonPropertyName] names,
/// nulls left out, unknown fields kept), with the Kubernetes forms of Quantity, IntOrString and the two timestamps.
/// Malformed JSON or a token of the wrong type is a <see cref="JsonException"/>. Stateless; thread-safe.
/// </summary>
public static class ModelJson
{
    /// <summary>Property names up to this many UTF-16 units are matched without allocating.</summary>
    public const int NameBuffer = 128;

    private const int CachedWriterLimit = 1 << 20;
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    /// <summary>One object from a complete JSON text; null when the text is JSON null.</summary>
    public static T? Deserialize<T>(ReadOnlySpan<byte> utf8Json) where T : class, IJsonModel<T>
    {
        var reader = new Utf8JsonReader(utf8Json, ReaderOptions);
        return ReadWhole<T>(ref reader);
    }

    /// <summary>One object from a complete JSON text.</summary>
    public static T? Deserialize<T>(string json) where T : class, IJsonModel<T> =>
        Deserialize<T>(System.Text.Encoding.UTF8.GetBytes(json));

    /// <summary>One object from a complete JSON text held in pieces.</summary>
    public static T? Deserialize<T>(ReadOnlySequence<byte> utf8Json) where T : class, IJsonModel<T>
    {
        if (utf8Json.IsSingleSegment) return Deserialize<T>(utf8Json.FirstSpan);
        var reader = new Utf8JsonReader(utf8Json, ReaderOptions);
        return ReadWhole<T>(ref reader);
    }

    /// <summary>One value and nothing after it, as System.Text.Json's Deserialize requires (its default depth of 64 too).</summary>
    private static T? ReadWhole<T>(ref Utf8JsonReader reader) where T : class, IJsonModel<T>
    {
        if (!reader.Read()) throw new JsonException("The input does not contain any JSON tokens.");
        var value = T.ReadJson(ref reader);
        if (reader.Read()) throw new JsonException($"Unexpected {reader.TokenType} after the JSON value at byte {reader.TokenStartIndex}.");
        return value;
    }

    /// <summary>
    /// The whole stream in pooled 16 KiB pieces, to be read with <see cref="Deserialize{T}(ReadOnlySequence{byte})"/> and
    /// disposed. Request and response bodies are one object or one page of a list, so whole is what is needed; pieces,
    /// not one growing array, so a large page leaves no large buffers behind in the pool.
    /// </summary>
    private static async ValueTask<RentedBytes> ReadToEndAsync(Stream stream, CancellationToken ct)
    {
        var body = new RentedBytes();
        try
        {
            while (true)
            {
                var read = await stream.ReadAsync(body.FreeSpace(), ct).ConfigureAwait(false);
                if (read == 0) return body;
                body.Advance(read);
            }
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    /// <summary>One object read from the whole of <paramref name="stream"/>.</summary>
    public static async ValueTask<T?> DeserializeAsync<T>(Stream stream, CancellationToken ct) where T : class, IJsonModel<T>
    {
        using var body = await ReadToEndAsync(stream, ct).ConfigureAwait(false);
        return Deserialize<T>(body.Sequence);
    }

    public static byte[] SerializeToUtf8Bytes<T>(T value) where T : class, IJsonModel<T> => Write(value).ToArray();

    public static string Serialize<T>(T value) where T : class, IJsonModel<T> =>
        System.Text.Encoding.UTF8.GetString(Write(value));

    public static JsonNode SerializeToNode<T>(T value) where T : class, IJsonModel<T> =>
        JsonNode.Parse(Write(value)) ?? throw new JsonException("null");

    public static async Task SerializeAsync<T>(Stream stream, T value, CancellationToken ct) where T : class, IJsonModel<T> =>
        await stream.WriteAsync(SerializeToUtf8Bytes(value), ct).ConfigureAwait(false);

    /// <summary>The object's JSON in this thread's buffer, valid until the next write on this thread.</summary>
    private static ReadOnlySpan<byte> Write<T>(T value) where T : class, IJsonModel<T>
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        if (buffer.Capacity > CachedWriterLimit) buffer = t_buffer = new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer);
        writer.Reset(buffer);
        value.WriteJson(writer);
        writer.Flush();
        return buffer.WrittenSpan;
    }

    // --- the generated code's helpers ---

    public static void StartObject(ref Utf8JsonReader r, string what)
    {
        if (r.TokenType != JsonTokenType.StartObject) throw Unexpected(ref r, what);
    }

    public static void StartArray(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.StartArray) throw Unexpected(ref r, "an array");
    }

    /// <summary>Moves to the next property name of the current object; false at its end.</summary>
    public static bool NextProperty(ref Utf8JsonReader r)
    {
        if (!r.Read()) throw new JsonException("The JSON ended inside an object.");
        return r.TokenType != JsonTokenType.EndObject;
    }

    /// <summary>Moves to the next item of the current array; false at its end.</summary>
    public static bool NextItem(ref Utf8JsonReader r)
    {
        if (!r.Read()) throw new JsonException("The JSON ended inside an array.");
        return r.TokenType != JsonTokenType.EndArray;
    }

    /// <summary>The current property name, unescaped into <paramref name="buffer"/> when it fits.</summary>
    public static ReadOnlySpan<char> PropertyName(in Utf8JsonReader r, Span<char> buffer)
    {
        var length = r.HasValueSequence ? r.ValueSequence.Length : r.ValueSpan.Length;
        return length <= buffer.Length ? buffer[..r.CopyString(buffer)] : r.GetString().AsSpan();
    }

    public static string? ReadString(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.String => r.GetString(),
        JsonTokenType.Null => null,
        _ => throw Unexpected(ref r, "a string"),
    };

    public static bool? ReadBoolean(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        JsonTokenType.Null => null,
        _ => throw Unexpected(ref r, "a boolean"),
    };

    public static int? ReadInt32(ref Utf8JsonReader r) =>
        r.TokenType == JsonTokenType.Null ? null
        : r.TokenType == JsonTokenType.Number && r.TryGetInt32(out var v) ? v
        : throw Unexpected(ref r, "a 32-bit integer");

    public static long? ReadInt64(ref Utf8JsonReader r) =>
        r.TokenType == JsonTokenType.Null ? null
        : r.TokenType == JsonTokenType.Number && r.TryGetInt64(out var v) ? v
        : throw Unexpected(ref r, "a 64-bit integer");

    public static double? ReadDouble(ref Utf8JsonReader r) =>
        r.TokenType == JsonTokenType.Null ? null
        : r.TokenType == JsonTokenType.Number && r.TryGetDouble(out var v) ? v
        : throw Unexpected(ref r, "a number");

    public static byte[]? ReadBytes(ref Utf8JsonReader r) =>
        r.TokenType == JsonTokenType.Null ? null
        : r.TokenType == JsonTokenType.String && r.TryGetBytesFromBase64(out var v) ? v
        : throw Unexpected(ref r, "a base64 string");

    public static Quantity? ReadQuantity(ref Utf8JsonReader r) =>
        r.TokenType == JsonTokenType.Null ? (Quantity?)null : QuantityConverter.ReadValue(ref r);

    public static IntOrString? ReadIntOrString(ref Utf8JsonReader r) =>
        r.TokenType == JsonTokenType.Null ? (IntOrString?)null : IntOrStringConverter.ReadValue(ref r);

    public static DateTimeOffset? ReadTime(ref Utf8JsonReader r) => KubernetesTime.Read(ref r);

    public static JsonElement? ReadJson(ref Utf8JsonReader r) =>
        r.TokenType == JsonTokenType.Null ? null : JsonElement.ParseValue(ref r);

    public static Dictionary<string, DateTimeOffset>? ReadTimeMap(ref Utf8JsonReader r) => TimeMapConverter.ReadValue(ref r);

    /// <summary>A JSON null where a list item or map value of a value type was expected.</summary>
    public static JsonException NullItem(string type) => new($"The JSON value null cannot be converted to {type}.");

    public static void WriteQuantity(Utf8JsonWriter w, Quantity value) => w.WriteStringValue(value.Value ?? "");

    public static void WriteIntOrString(Utf8JsonWriter w, IntOrString value)
    {
        if (value.IsString) w.WriteStringValue(value.StringValue);
        else w.WriteNumberValue(value.IntValue);
    }

    public static void WriteTime(Utf8JsonWriter w, DateTimeOffset value) => w.WriteStringValue(KubernetesTime.FormatTime(value));

    public static void WriteMicroTime(Utf8JsonWriter w, DateTimeOffset value) => w.WriteStringValue(KubernetesTime.FormatMicroTime(value));

    public static void WriteTimeMap(Utf8JsonWriter w, Dictionary<string, DateTimeOffset> value) => TimeMapConverter.WriteValue(w, value);

    public static void WriteExtensionData(Utf8JsonWriter w, Dictionary<string, JsonElement>? extension)
    {
        if (extension is null) return;
        foreach (var (name, value) in extension)
        {
            w.WritePropertyName(name);
            value.WriteTo(w);
        }
    }

    private static JsonException Unexpected(ref Utf8JsonReader r, string expected) =>
        new($"Expected {expected}, not {r.TokenType}, at byte {r.TokenStartIndex}.");
}

/// <summary>A whole body in pooled pieces; dispose it once read. Not thread-safe.</summary>
internal sealed class RentedBytes : IDisposable
{
    private const int PieceSize = 16 * 1024;
    private readonly List<byte[]> _pieces = [];
    private int _lastLength;

    internal Memory<byte> FreeSpace()
    {
        if (_pieces.Count == 0 || _lastLength == _pieces[^1].Length)
        {
            _pieces.Add(ArrayPool<byte>.Shared.Rent(PieceSize));
            _lastLength = 0;
        }
        return _pieces[^1].AsMemory(_lastLength);
    }

    internal void Advance(int count) => _lastLength += count;

    /// <summary>The bytes read, in order.</summary>
    public ReadOnlySequence<byte> Sequence
    {
        get
        {
            if (_pieces.Count == 0) return ReadOnlySequence<byte>.Empty;
            if (_pieces.Count == 1) return new ReadOnlySequence<byte>(_pieces[0], 0, _lastLength);
            var first = new Piece(_pieces[0], 0);
            var last = first;
            for (var i = 1; i < _pieces.Count; i++)
                last = last.Append(i == _pieces.Count - 1 ? _pieces[i].AsMemory(0, _lastLength) : _pieces[i]);
            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }
    }

    public void Dispose()
    {
        foreach (var piece in _pieces) ArrayPool<byte>.Shared.Return(piece);
        _pieces.Clear();
        _lastLength = 0;
    }

    private sealed class Piece : ReadOnlySequenceSegment<byte>
    {
        public Piece(ReadOnlyMemory<byte> memory, long runningIndex) => (Memory, RunningIndex) = (memory, runningIndex);

        public Piece Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Piece(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
