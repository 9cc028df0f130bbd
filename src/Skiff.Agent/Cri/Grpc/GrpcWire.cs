using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace Skiff.Agent.Cri.Grpc;

/// <summary>
/// The byte-level rules of gRPC over HTTP/2: length-prefixed message frames, the
/// <c>grpc-timeout</c> header, and reading a call's status from trailers or headers.
/// </summary>
public static class GrpcWire
{
    /// <summary>Frame header: one compressed-flag byte and a 4-byte big-endian length.</summary>
    public const int FrameHeaderSize = 5;

    /// <summary>Largest message accepted. containerd caps ExecSync output at 16 MiB per stream.</summary>
    public const int MaxReceiveMessageSize = 64 * 1024 * 1024;

    public static byte[] Frame(IMessage message)
    {
        var size = message.CalculateSize();
        var frame = new byte[FrameHeaderSize + size];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)size);
        message.WriteTo(frame.AsSpan(FrameHeaderSize));
        return frame;
    }

    /// <summary>
    /// Reads one message frame. Returns null at a clean end of stream (no bytes of a next
    /// frame); throws <see cref="GrpcProtocolException"/> for a truncated, compressed or
    /// oversized frame.
    /// </summary>
    public static async ValueTask<byte[]?> ReadFrameAsync(Stream stream, CancellationToken ct, int maxSize = MaxReceiveMessageSize)
    {
        var header = new byte[FrameHeaderSize];
        var read = await ReadFullyAsync(stream, header, ct).ConfigureAwait(false);
        if (read == 0) return null;
        if (read < FrameHeaderSize) throw new GrpcProtocolException($"truncated frame header ({read} of 5 bytes)");
        if (header[0] != 0)
            throw new GrpcProtocolException(header[0] == 1
                ? "compressed message received, but no compression was negotiated"
                : $"invalid compressed flag {header[0]}");
        var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1));
        if (length > (uint)maxSize) throw new GrpcProtocolException($"message of {length} bytes exceeds the limit of {maxSize}");
        var payload = new byte[length];
        read = await ReadFullyAsync(stream, payload, ct).ConfigureAwait(false);
        if (read < payload.Length) throw new GrpcProtocolException($"truncated message ({read} of {length} bytes)");
        return payload;
    }

    private static async ValueTask<int> ReadFullyAsync(Stream stream, byte[] buffer, CancellationToken ct)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(total), ct).ConfigureAwait(false);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    /// <summary>
    /// The <c>grpc-timeout</c> value for a deadline: at most 8 digits and a unit, rounded up
    /// so the server never sees a shorter deadline than the client's.
    /// </summary>
    public static string FormatTimeout(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero) return "1n";
        const long max = 99_999_999;
        var ticks = timeout.Ticks; // 100 ns
        if (ticks <= max / 100) return (ticks * 100).ToString(CultureInfo.InvariantCulture) + "n";
        var units = new (long TicksPerUnit, char Unit)[]
        {
            (10, 'u'), (TimeSpan.TicksPerMillisecond, 'm'), (TimeSpan.TicksPerSecond, 'S'),
            (TimeSpan.TicksPerMinute, 'M'), (TimeSpan.TicksPerHour, 'H'),
        };
        foreach (var (perUnit, unit) in units)
        {
            var value = (ticks + perUnit - 1) / perUnit;
            if (value <= max) return value.ToString(CultureInfo.InvariantCulture) + unit;
        }
        return max.ToString(CultureInfo.InvariantCulture) + "H";
    }

    /// <summary>
    /// The call's status: from the trailers, or from the headers of a trailers-only response.
    /// Null if neither carries <c>grpc-status</c>.
    /// </summary>
    public static (GrpcStatusCode Code, string Message)? ReadStatus(HttpHeaders headers, HttpHeaders? trailers)
    {
        var code = Header(trailers, "grpc-status");
        var source = trailers;
        if (code is null)
        {
            code = Header(headers, "grpc-status");
            source = headers;
        }
        if (code is null) return null;
        if (!int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            return (GrpcStatusCode.Unknown, $"unparsable grpc-status '{code}'");
        var message = Header(source, "grpc-message");
        return ((GrpcStatusCode)value, message is null ? "" : DecodeMessage(message));
    }

    /// <summary><c>grpc-message</c> is percent-encoded UTF-8.</summary>
    public static string DecodeMessage(string value)
    {
        try { return Uri.UnescapeDataString(value); }
        catch (UriFormatException) { return value; }
    }

    /// <summary>The status a client assumes for a non-200 HTTP response (gRPC's HTTP mapping).</summary>
    public static GrpcStatusCode StatusForHttp(HttpStatusCode status) => (int)status switch
    {
        400 => GrpcStatusCode.Internal,
        401 => GrpcStatusCode.Unauthenticated,
        403 => GrpcStatusCode.PermissionDenied,
        404 => GrpcStatusCode.Unimplemented,
        429 or 502 or 503 or 504 => GrpcStatusCode.Unavailable,
        _ => GrpcStatusCode.Unknown,
    };

    private static string? Header(HttpHeaders? headers, string name) =>
        headers is not null && headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    internal static bool IsGrpcContentType(MediaTypeHeaderValue? contentType) =>
        contentType?.MediaType is { } media &&
        (media.Equals("application/grpc", StringComparison.OrdinalIgnoreCase) ||
         media.StartsWith("application/grpc+", StringComparison.OrdinalIgnoreCase));
}

/// <summary>The bytes on the wire are not valid gRPC; surfaces as <see cref="GrpcStatusCode.Internal"/>.</summary>
public sealed class GrpcProtocolException(string message) : Exception(message);
