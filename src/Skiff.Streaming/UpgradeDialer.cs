using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Skiff.Streaming;

/// <summary>The answer to an HTTP/1.1 upgrade request: 101 with the upgraded stream, or an error with its body.</summary>
public sealed class UpgradeResponse(int statusCode, IReadOnlyDictionary<string, IReadOnlyList<string>> headers, Stream stream, byte[] body) : IAsyncDisposable
{
    public int StatusCode { get; } = statusCode;
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Headers { get; } = headers;
    /// <summary>After a 101, the raw connection in the upgraded protocol.</summary>
    public Stream Stream { get; } = stream;
    /// <summary>The body of a non-101 answer (at most 64 KiB), usually a Status or a plain-text error.</summary>
    public byte[] Body { get; } = body;

    public string? Header(string name) => Headers.TryGetValue(name, out var v) && v.Count > 0 ? v[0] : null;

    public ValueTask DisposeAsync() => Stream.DisposeAsync();
}

/// <summary>
/// Sends one HTTP/1.1 request that asks to switch protocols (SPDY/3.1, or a WebSocket handshake) and
/// hands back the raw connection. HttpClient cannot do this for protocols other than WebSocket, and the
/// streaming servers here (containerd's CRI server, the kubelet) answer on plain HTTP/1.1. Stateless.
/// </summary>
public static class UpgradeDialer
{
    private const int MaxHeaderBytes = 64 * 1024;

    /// <param name="tls">Null for http:// URLs; for https:// the options to authenticate with (client certificate, server check).</param>
    public static async Task<UpgradeResponse> DialAsync(Uri url, string method, IEnumerable<KeyValuePair<string, string>> headers,
        SslClientAuthenticationOptions? tls, CancellationToken ct)
    {
        var tcp = new TcpClient { NoDelay = true };
        Stream stream;
        try
        {
            await tcp.ConnectAsync(url.Host, url.Port, ct).ConfigureAwait(false);
            stream = tcp.GetStream();
            if (url.Scheme is "https" or "wss")
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                var options = tls ?? new SslClientAuthenticationOptions();
                options.TargetHost ??= url.Host;
                options.ApplicationProtocols = [SslApplicationProtocol.Http11];
                await ssl.AuthenticateAsClientAsync(options, ct).ConfigureAwait(false);
                stream = ssl;
            }
        }
        catch
        {
            tcp.Dispose();
            throw;
        }

        var request = new StringBuilder()
            .Append(method).Append(' ').Append(url.PathAndQuery).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(url.Authority).Append("\r\n");
        foreach (var (name, value) in headers) request.Append(name).Append(": ").Append(value).Append("\r\n");
        if (method is "POST" or "PUT") request.Append("Content-Length: 0\r\n");
        request.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()), ct).ConfigureAwait(false);
        await stream.FlushAsync(ct).ConfigureAwait(false);

        var (status, responseHeaders, leftover) = await ReadHeadAsync(stream, ct).ConfigureAwait(false);
        var upgraded = leftover.Length > 0 ? new PrefixedStream(leftover, stream) : stream;
        if (status == 101) return new UpgradeResponse(status, responseHeaders, upgraded, []);

        var body = await ReadBodyAsync(upgraded, responseHeaders, ct).ConfigureAwait(false);
        return new UpgradeResponse(status, responseHeaders, upgraded, body);
    }

    private static async Task<(int, Dictionary<string, IReadOnlyList<string>>, byte[])> ReadHeadAsync(Stream stream, CancellationToken ct)
    {
        var buffer = new byte[8192];
        var filled = 0;
        while (true)
        {
            var end = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                var head = Encoding.ASCII.GetString(buffer, 0, end);
                var leftover = buffer.AsSpan(end + 4, filled - end - 4).ToArray();
                return (ParseStatus(head), ParseHeaders(head), leftover);
            }
            if (filled == buffer.Length)
            {
                if (buffer.Length >= MaxHeaderBytes) throw new IOException("the upgrade response headers are too large");
                Array.Resize(ref buffer, buffer.Length * 2);
            }
            var n = await stream.ReadAsync(buffer.AsMemory(filled), ct).ConfigureAwait(false);
            if (n == 0) throw new IOException("the connection closed before the upgrade response");
            filled += n;
        }
    }

    private static int ParseStatus(string head)
    {
        var first = head.Split("\r\n", 2)[0].Split(' ', 3);
        return first.Length >= 2 && int.TryParse(first[1], out var code) ? code : throw new IOException($"not an HTTP response: {first[0]}");
    }

    private static Dictionary<string, IReadOnlyList<string>> ParseHeaders(string head)
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in head.Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0) continue;
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            result[name] = result.TryGetValue(name, out var existing) ? [.. existing, value] : [value];
        }
        return result;
    }

    private static async Task<byte[]> ReadBodyAsync(Stream stream, IReadOnlyDictionary<string, IReadOnlyList<string>> headers, CancellationToken ct)
    {
        var limit = headers.TryGetValue("Content-Length", out var cl) && int.TryParse(cl[0], out var n) ? Math.Min(n, 65536) : 65536;
        var chunked = headers.TryGetValue("Transfer-Encoding", out var te) && te.Any(v => v.Contains("chunked", StringComparison.OrdinalIgnoreCase));
        var body = new MemoryStream();
        var buffer = new byte[4096];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            while (body.Length < limit)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit - body.Length)), timeout.Token).ConfigureAwait(false);
                if (read == 0) break;
                body.Write(buffer, 0, read);
                if (chunked && body.ToArray().AsSpan().EndsWith("0\r\n\r\n"u8)) break;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
        catch (IOException) { }
        return chunked ? Dechunk(body.ToArray()) : body.ToArray();
    }

    private static byte[] Dechunk(byte[] raw)
    {
        var result = new MemoryStream();
        var i = 0;
        while (i < raw.Length)
        {
            var eol = raw.AsSpan(i).IndexOf("\r\n"u8);
            if (eol < 0) break;
            var sizeText = Encoding.ASCII.GetString(raw, i, eol).Split(';')[0];
            if (!int.TryParse(sizeText, System.Globalization.NumberStyles.HexNumber, null, out var size) || size == 0) break;
            i += eol + 2;
            result.Write(raw, i, Math.Min(size, raw.Length - i));
            i += size + 2;
        }
        return result.ToArray();
    }
}

/// <summary>A stream that first returns bytes already read past the HTTP head, then the connection.</summary>
internal sealed class PrefixedStream(byte[] prefix, Stream inner) : Stream
{
    private int _offset;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (_offset < prefix.Length)
        {
            var n = Math.Min(buffer.Length, prefix.Length - _offset);
            prefix.AsMemory(_offset, n).CopyTo(buffer);
            _offset += n;
            return ValueTask.FromResult(n);
        }
        return inner.ReadAsync(buffer, ct);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();
    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default) => inner.WriteAsync(buffer, ct);
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) => inner.WriteAsync(buffer, offset, count, ct);
    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken ct) => inner.FlushAsync(ct);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();
}
