using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.ApiServer.Errors;

namespace Skiff.ApiServer.Serialization;

/// <summary>Reads request bodies with upstream's 3 MiB limit and turns parse failures into 400s.</summary>
public static class RequestBody
{
    public const long MaxBytes = 3 * 1024 * 1024;

    /// <summary>How much of an oversized body is read and dropped before answering 413, so a client still
    /// uploading gets the answer instead of a reset connection; larger bodies are cut off.</summary>
    private const long DrainBytes = 16 * 1024 * 1024;

    /// <param name="maxBytes">The limit; upstream's 3 MiB unless an endpoint takes less.</param>
    public static async Task<byte[]> ReadBytesAsync(HttpRequest req, CancellationToken ct, long maxBytes = MaxBytes)
    {
        if (req.ContentLength > maxBytes)
        {
            if (req.ContentLength <= DrainBytes) await DrainAsync(req, ct);
            throw StatusException.TooLarge(maxBytes);
        }
        using var ms = new MemoryStream(req.ContentLength is > 0 and <= MaxBytes ? (int)req.ContentLength.Value : 4096);
        var buffer = new byte[16384];
        int n;
        while ((n = await req.Body.ReadAsync(buffer, ct)) > 0)
        {
            if (ms.Length + n > maxBytes)
            {
                await DrainAsync(req, ct);
                throw StatusException.TooLarge(maxBytes);
            }
            ms.Write(buffer, 0, n);
        }
        return ms.ToArray();
    }

    private static async Task DrainAsync(HttpRequest req, CancellationToken ct)
    {
        var buffer = new byte[16384];
        long total = 0;
        int n;
        while (total < DrainBytes && (n = await req.Body.ReadAsync(buffer, ct)) > 0) total += n;
    }

    /// <summary>Parses a body as JSON (or YAML, by content type) into a node.</summary>
    public static JsonNode? Parse(byte[] body, string? contentType)
    {
        var media = MediaType(contentType);
        if (media is "application/yaml" or "application/apply-patch+yaml")
            return YamlJson.ToJsonNode(System.Text.Encoding.UTF8.GetString(body));
        if (media is "application/vnd.kubernetes.protobuf")
        {
            // kubectl's typed commands (create configmap, run, auth can-i...) send protobuf; the server works in JSON.
            if (!Skiff.Api.Protobuf.KubernetesProtobuf.TryDecodeToJson(body, out var decoded, out var error))
                throw StatusException.BadRequest($"unable to decode protobuf body: {error}");
            return decoded;
        }
        try
        {
            return JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = true });
        }
        catch (JsonException e)
        {
            throw StatusException.BadRequest($"json parse error: {Describe(e)}");
        }
    }

    public static JsonObject ParseObject(byte[] body, string? contentType)
    {
        var node = Parse(body, contentType);
        return node as JsonObject ?? throw StatusException.BadRequest(
            $"couldn't get version/kind; json parse error: json: cannot unmarshal {Kind(node)} into Go value of type struct {{ APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }}");
    }

    private static string Kind(JsonNode? n) => n switch
    {
        JsonArray => "array",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => "string",
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => "number",
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => "bool",
        _ => "null",
    };

    public static string MediaType(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType)) return "application/json";
        var semi = contentType.IndexOf(';');
        return (semi < 0 ? contentType : contentType[..semi]).Trim().ToLowerInvariant();
    }

    private static string Describe(JsonException e)
    {
        var m = e.Message;
        var cut = m.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? m[..cut] : m;
    }
}
