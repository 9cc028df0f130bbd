using System.IO.Compression;
using System.Security.Cryptography;

namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// One rendered document, ready to write to a response: the bytes, their content hash
/// (uppercase SHA-512 hex, as kube-openapi computes it) and the Content-Type to send.
/// Immutable; the body must not be modified by callers.
/// </summary>
public sealed class OpenApiDocument
{
    public const string JsonContentType = "application/json";
    public const string V2ProtobufContentType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

    public OpenApiDocument(byte[] body, string contentType)
    {
        Body = body;
        ContentType = contentType;
        Hash = Convert.ToHexString(SHA512.HashData(body));
        _gzip = new Lazy<byte[]>(() => Compress(body));
    }

    private readonly Lazy<byte[]> _gzip;

    /// <summary>
    /// The body gzip-compressed, made once on first use: Go clients (kubectl) send
    /// Accept-Encoding: gzip and v2 shrinks roughly tenfold. Send with Content-Encoding: gzip.
    /// </summary>
    public ReadOnlyMemory<byte> GzipBody => _gzip.Value;

    private static byte[] Compress(byte[] body)
    {
        using var output = new MemoryStream(body.Length / 6 + 1024);
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
            gzip.Write(body);
        return output.ToArray();
    }

    public ReadOnlyMemory<byte> Body { get; }

    public string ContentType { get; }

    /// <summary>Uppercase hex SHA-512 of <see cref="Body"/>; the v3 "?hash=" value.</summary>
    public string Hash { get; }

    /// <summary>The quoted entity tag to send as ETag and compare with If-None-Match.</summary>
    public string ETag => "\"" + Hash + "\"";

    /// <summary>True when a request's If-None-Match names this document (so a 304 is the answer).</summary>
    public bool MatchesIfNoneMatch(string? ifNoneMatch)
    {
        if (string.IsNullOrEmpty(ifNoneMatch)) return false;
        foreach (var candidate in ifNoneMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var tag = candidate.StartsWith("W/", StringComparison.Ordinal) ? candidate[2..] : candidate;
            if (tag == "*" || tag == ETag || tag == Hash) return true;
        }
        return false;
    }
}
