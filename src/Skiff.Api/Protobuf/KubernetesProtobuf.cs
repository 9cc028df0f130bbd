using System.Text.Json.Nodes;
using Skiff.Api.Meta;
using Skiff.Api.Schema;

namespace Skiff.Api.Protobuf;

/// <summary>
/// Reads request bodies sent as <c>application/vnd.kubernetes.protobuf</c> (what kubectl's typed commands
/// send): the magic <c>k8s\0</c>, then a runtime.Unknown envelope (typeMeta = 1 {apiVersion = 1, kind = 2},
/// raw = 2, contentEncoding = 3, contentType = 4) whose raw bytes are the object's own message.
/// Stateless; thread-safe.
/// </summary>
public static class KubernetesProtobuf
{
    /// <summary>The media type of Kubernetes protobuf bodies.</summary>
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    private static ReadOnlySpan<byte> Magic => "k8s\0"u8;

    /// <summary>True when <see cref="TryDecodeToJson"/> has a field table for the kind, so a server can
    /// answer 415 Unsupported Media Type up front for the rest.</summary>
    public static bool CanDecode(GroupVersionKind kind) =>
        SchemaExtensions.DefinitionNamesByKind.TryGetValue(kind, out var definition) && ProtoFieldTable.Find(definition) is not null;

    /// <summary>True when the bytes start with the Kubernetes protobuf magic prefix.</summary>
    public static bool HasMagic(ReadOnlySpan<byte> body) => body.StartsWith(Magic);

    /// <summary>
    /// Decodes a Kubernetes protobuf body into the JSON object the same Go object marshals to, with
    /// apiVersion and kind taken from the envelope. Zero scalars are dropped as Go's omitempty would, except
    /// fields the OpenAPI schema marks required and Go pointer fields present on the wire; embedded messages
    /// are kept even when empty; a zero Time is dropped; unknown field numbers are skipped.
    /// </summary>
    /// <returns>False, with <paramref name="error"/> saying why, for a body without the magic, a malformed
    /// message, a content encoding other than none, or a kind with no protobuf field table.</returns>
    public static bool TryDecodeToJson(ReadOnlySpan<byte> body, out JsonObject? obj, out string? error)
    {
        obj = null;
        if (!HasMagic(body))
        {
            error = "body does not start with the Kubernetes protobuf magic 'k8s\\0'";
            return false;
        }
        try
        {
            var envelope = ReadEnvelope(body[Magic.Length..]);
            if (envelope.ContentEncoding.Length > 0)
            {
                error = $"unsupported protobuf content encoding '{envelope.ContentEncoding}'";
                return false;
            }
            if (envelope.Kind.Length == 0 || envelope.ApiVersion.Length == 0)
            {
                error = "protobuf envelope has no apiVersion or kind";
                return false;
            }
            var kind = ParseKind(envelope.ApiVersion, envelope.Kind);
            if (!SchemaExtensions.DefinitionNamesByKind.TryGetValue(kind, out var definition) ||
                ProtoFieldTable.Find(definition) is null)
            {
                error = $"no protobuf decoding for kind {envelope.Kind} in {envelope.ApiVersion}";
                return false;
            }
            var result = new JsonObject
            {
                ["apiVersion"] = envelope.ApiVersion,
                ["kind"] = envelope.Kind,
            };
            ProtoJsonDecoder.DecodeMessage(definition, body.Slice(Magic.Length + envelope.RawOffset, envelope.RawLength), result);
            obj = result;
            error = null;
            return true;
        }
        catch (MalformedProtobufException e)
        {
            error = "malformed protobuf: " + e.Message;
            return false;
        }
    }

    private readonly record struct Envelope(string ApiVersion, string Kind, int RawOffset, int RawLength, string ContentEncoding);

    private static Envelope ReadEnvelope(ReadOnlySpan<byte> unknown)
    {
        string apiVersion = "", kind = "", contentEncoding = "";
        int rawOffset = 0, rawLength = 0;
        var reader = new ProtoReader(unknown);
        while (reader.TryReadTag(out var number, out var wire))
        {
            if (wire != WireType.LengthDelimited)
            {
                reader.Skip(wire);
                continue;
            }
            var payload = reader.ReadLengthDelimited();
            switch (number)
            {
                case 1:
                    var typeMeta = new ProtoReader(payload);
                    while (typeMeta.TryReadTag(out var n, out var w))
                    {
                        if (w != WireType.LengthDelimited) { typeMeta.Skip(w); continue; }
                        var text = System.Text.Encoding.UTF8.GetString(typeMeta.ReadLengthDelimited());
                        if (n == 1) apiVersion = text;
                        else if (n == 2) kind = text;
                    }
                    break;
                case 2:
                    // Offsets into the caller's span, so the object bytes are never copied.
                    rawOffset = reader.Position - payload.Length;
                    rawLength = payload.Length;
                    break;
                case 3:
                    contentEncoding = System.Text.Encoding.UTF8.GetString(payload);
                    break;
            }
        }
        return new Envelope(apiVersion, kind, rawOffset, rawLength, contentEncoding);
    }

    private static GroupVersionKind ParseKind(string apiVersion, string kind)
    {
        var slash = apiVersion.IndexOf('/');
        return slash < 0
            ? new GroupVersionKind("", apiVersion, kind)
            : new GroupVersionKind(apiVersion[..slash], apiVersion[(slash + 1)..], kind);
    }
}
