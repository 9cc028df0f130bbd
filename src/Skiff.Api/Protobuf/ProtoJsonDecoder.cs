using System.Text;
using System.Text.Json.Nodes;
using Skiff.Api.Schema;

namespace Skiff.Api.Protobuf;

/// <summary>
/// Turns one Kubernetes protobuf message into the JSON the same Go object would marshal to. Field numbers
/// come from <see cref="ProtoFieldTable"/>; each field's JSON type (string, integer, map, list, nested
/// definition, Quantity, Time, ...) comes from the OpenAPI schema, so the table stays a list of numbers.
/// Stateless; thread-safe.
/// </summary>
internal static class ProtoJsonDecoder
{
    private const string MetaV1 = "io.k8s.apimachinery.pkg.apis.meta.v1.";
    private const string TimeRef = MetaV1 + "Time";
    private const string MicroTimeRef = MetaV1 + "MicroTime";
    private const string FieldsV1Ref = MetaV1 + "FieldsV1";
    private const string QuantityRef = "io.k8s.apimachinery.pkg.api.resource.Quantity";
    private const string IntOrStringRef = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
    private const string RawExtensionRef = "io.k8s.apimachinery.pkg.runtime.RawExtension";
    private const string JsonRef = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON";
    private const int MaxDepth = 64;

    /// <summary>Decodes a message of the given definition into <paramref name="target"/>.</summary>
    public static void DecodeMessage(string definition, ReadOnlySpan<byte> bytes, JsonObject target, int depth = 0) =>
        DecodeMessage(definition, definition, bytes, target, depth);

    /// <param name="schemaDefinition">Where the JSON types are looked up: the message's own definition, or for
    /// an inlined struct (which OpenAPI flattens away) the definition of the object it is inlined into.</param>
    private static void DecodeMessage(string definition, string schemaDefinition, ReadOnlySpan<byte> bytes,
        JsonObject target, int depth)
    {
        if (depth > MaxDepth) throw new MalformedProtobufException($"messages nested deeper than {MaxDepth}");
        var fields = ProtoFieldTable.Find(definition)
            ?? throw new MalformedProtobufException($"no protobuf field table for {definition}");
        var schema = SchemaExtensions.Find(schemaDefinition);
        var reader = new ProtoReader(bytes);
        while (reader.TryReadTag(out var number, out var wire))
        {
            if (!fields.TryGetValue(number, out var field))
            {
                reader.Skip(wire); // a field from a newer client
                continue;
            }
            if (field.InlineDefinition is { } inline)
            {
                Expect(wire, WireType.LengthDelimited, definition, field);
                DecodeMessage(inline, schemaDefinition, reader.ReadLengthDelimited(), target, depth + 1);
                continue;
            }
            var property = schema?.Property(field.JsonName);
            if (property is null)
            {
                reader.Skip(wire); // a field this API level no longer has
                continue;
            }
            var keepZero = field.IsPointer || schema!.Required.Contains(field.JsonName);
            DecodeField(ref reader, wire, definition, field, property.Schema, keepZero, target, depth);
        }
    }

    private static void DecodeField(ref ProtoReader reader, WireType wire, string definition, ProtoField field,
        SchemaType type, bool keepZero, JsonObject target, int depth)
    {
        var name = field.JsonName;
        if (type.IsArray)
        {
            var list = target[name] as JsonArray ?? new JsonArray();
            target[name] = list;
            if ((field.Flags & ProtoFieldFlags.ListWrapper) != 0)
            {
                Expect(wire, WireType.LengthDelimited, definition, field);
                DecodeWrappedList(reader.ReadLengthDelimited(), type.Items!, list, definition, field, depth);
            }
            else
            {
                AppendRepeated(ref reader, wire, type.Items!, list, definition, field, depth);
            }
            return;
        }
        if (type.IsMap)
        {
            Expect(wire, WireType.LengthDelimited, definition, field);
            var map = target[name] as JsonObject ?? new JsonObject();
            target[name] = map;
            DecodeMapEntry(reader.ReadLengthDelimited(), type.AdditionalProperties!, map, definition, field, depth);
            return;
        }
        var value = DecodeValue(ref reader, wire, type, definition, field, keepZero, depth);
        if (value.Keep) target[name] = value.Node;
        else target.Remove(name);
    }

    /// <summary>One occurrence of a repeated field: a single element, or a packed run of numbers.</summary>
    private static void AppendRepeated(ref ProtoReader reader, WireType wire, SchemaType item, JsonArray list,
        string definition, ProtoField field, int depth)
    {
        if (wire == WireType.LengthDelimited && IsPackable(item))
        {
            var packed = new ProtoReader(reader.ReadLengthDelimited());
            while (!packed.AtEnd)
                list.Add(DecodeValue(ref packed, PackedWireType(item), item, definition, field, true, depth).Node);
            return;
        }
        if (item.IsArray)
        {
            // [][]T has no proto form of its own: each inner list travels in a wrapper message.
            Expect(wire, WireType.LengthDelimited, definition, field);
            var inner = new JsonArray();
            DecodeWrappedList(reader.ReadLengthDelimited(), item.Items!, inner, definition, field, depth);
            list.Add((JsonNode)inner);
            return;
        }
        list.Add(DecodeValue(ref reader, wire, item, definition, field, true, depth).Node);
    }

    private static void DecodeWrappedList(ReadOnlySpan<byte> bytes, SchemaType item, JsonArray list,
        string definition, ProtoField field, int depth)
    {
        var reader = new ProtoReader(bytes);
        while (reader.TryReadTag(out var number, out var wire))
        {
            if (number == 1) AppendRepeated(ref reader, wire, item, list, definition, field, depth + 1);
            else reader.Skip(wire);
        }
    }

    /// <summary>A map entry message: key = 1 (string), value = 2. Entries with empty values are kept, as in Go.</summary>
    private static void DecodeMapEntry(ReadOnlySpan<byte> bytes, SchemaType valueType, JsonObject map,
        string definition, ProtoField field, int depth)
    {
        var reader = new ProtoReader(bytes);
        var key = "";
        JsonNode? value = null;
        var sawValue = false;
        while (reader.TryReadTag(out var number, out var wire))
        {
            switch (number)
            {
                case 1:
                    Expect(wire, WireType.LengthDelimited, definition, field);
                    key = Utf8(reader.ReadLengthDelimited(), definition, field);
                    break;
                case 2 when valueType.IsArray:
                    Expect(wire, WireType.LengthDelimited, definition, field);
                    var list = new JsonArray();
                    DecodeWrappedList(reader.ReadLengthDelimited(), valueType.Items!, list, definition, field, depth);
                    value = list;
                    sawValue = true;
                    break;
                case 2:
                    value = DecodeValue(ref reader, wire, valueType, definition, field, true, depth).Node;
                    sawValue = true;
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }
        map[key] = sawValue ? value : ZeroValue(valueType);
    }

    private readonly record struct Decoded(JsonNode? Node, bool Keep);

    /// <summary>A single (non-repeated) value. <paramref name="keepZero"/> false drops a zero scalar, as Go's omitempty would.</summary>
    private static Decoded DecodeValue(ref ProtoReader reader, WireType wire, SchemaType type, string definition,
        ProtoField field, bool keepZero, int depth)
    {
        if (type.Ref is { } reference)
            return DecodeReference(ref reader, wire, reference, definition, field, keepZero, depth);
        if ((field.Flags & ProtoFieldFlags.Duration) != 0)
        {
            Expect(wire, WireType.LengthDelimited, definition, field);
            var nanos = ReadInt64Field(reader.ReadLengthDelimited(), 1);
            return new(WellKnownFormats.Duration(nanos), keepZero || nanos != 0);
        }
        switch (type.Type)
        {
            case "string" when type.Format == "byte":
            {
                Expect(wire, WireType.LengthDelimited, definition, field);
                var bytes = reader.ReadLengthDelimited();
                return new(Convert.ToBase64String(bytes), keepZero || bytes.Length > 0);
            }
            case "string":
            {
                Expect(wire, WireType.LengthDelimited, definition, field);
                var text = Utf8(reader.ReadLengthDelimited(), definition, field);
                return new(text, keepZero || text.Length > 0);
            }
            case "integer":
            {
                Expect(wire, WireType.Varint, definition, field);
                var raw = (long)reader.ReadVarint();
                JsonNode node = type.Format == "int32" ? JsonValue.Create((int)raw) : JsonValue.Create(raw);
                return new(node, keepZero || raw != 0);
            }
            case "boolean":
            {
                Expect(wire, WireType.Varint, definition, field);
                var flag = reader.ReadVarint() != 0;
                return new(flag, keepZero || flag);
            }
            case "number":
            {
                double number = wire switch
                {
                    WireType.Fixed64 => BitConverter.UInt64BitsToDouble(reader.ReadFixed64()),
                    WireType.Fixed32 => BitConverter.UInt32BitsToSingle(reader.ReadFixed32()),
                    _ => throw WrongWire(wire, definition, field),
                };
                return new(number, keepZero || number != 0);
            }
            default:
                throw new MalformedProtobufException(
                    $"{definition}.{field.JsonName}: no protobuf form known for schema type '{type.Type ?? "any"}'");
        }
    }

    private static Decoded DecodeReference(ref ProtoReader reader, WireType wire, string reference, string definition,
        ProtoField field, bool keepZero, int depth)
    {
        Expect(wire, WireType.LengthDelimited, definition, field);
        var bytes = reader.ReadLengthDelimited();
        switch (reference)
        {
            case TimeRef:
            {
                var (seconds, _) = ReadTimestamp(bytes);
                // A zero Time is Go's "unset" (JSON null), written by gogo for every non-pointer Time.
                return seconds == 0 ? new(null, false) : new(WellKnownFormats.Time(seconds), true);
            }
            case MicroTimeRef:
            {
                var (seconds, nanos) = ReadTimestamp(bytes);
                return seconds == 0 && nanos == 0 ? new(null, false) : new(WellKnownFormats.MicroTime(seconds, nanos), true);
            }
            case QuantityRef:
            {
                var text = ReadStringField(bytes, 1, definition, field);
                return new(text, keepZero || text.Length > 0);
            }
            case IntOrStringRef:
                return DecodeIntOrString(bytes, definition, field, keepZero);
            case RawExtensionRef:
            case FieldsV1Ref:
            case JsonRef:
                return DecodeEmbeddedJson(bytes, definition, field);
            default:
                var obj = new JsonObject();
                DecodeMessage(reference, bytes, obj, depth + 1);
                return new(obj, true); // embedded structs are kept even when empty, as Go marshals them
        }
    }

    /// <summary>intstr.IntOrString: type = 1 (0 int, 1 string), intVal = 2, strVal = 3.</summary>
    private static Decoded DecodeIntOrString(ReadOnlySpan<byte> bytes, string definition, ProtoField field, bool keepZero)
    {
        var reader = new ProtoReader(bytes);
        long kind = 0, intVal = 0;
        var strVal = "";
        while (reader.TryReadTag(out var number, out var wire))
        {
            switch (number)
            {
                case 1: Expect(wire, WireType.Varint, definition, field); kind = (long)reader.ReadVarint(); break;
                case 2: Expect(wire, WireType.Varint, definition, field); intVal = (int)reader.ReadVarint(); break;
                case 3: Expect(wire, WireType.LengthDelimited, definition, field); strVal = Utf8(reader.ReadLengthDelimited(), definition, field); break;
                default: reader.Skip(wire); break;
            }
        }
        if (kind == 1) return new(strVal, true);
        // A non-pointer IntOrString is always on the wire; its zero means "not given" (e.g. targetPort).
        return new(JsonValue.Create((int)intVal), keepZero || intVal != 0);
    }

    /// <summary>RawExtension, FieldsV1 and apiextensions JSON carry raw bytes in field 1: JSON text, or a
    /// nested protobuf envelope for a RawExtension written by a protobuf client.</summary>
    private static Decoded DecodeEmbeddedJson(ReadOnlySpan<byte> bytes, string definition, ProtoField field)
    {
        var raw = ReadBytesField(bytes, 1, definition, field);
        if (raw.Length == 0) return new(null, false);
        if (KubernetesProtobuf.HasMagic(raw))
        {
            if (!KubernetesProtobuf.TryDecodeToJson(raw, out var nested, out var error))
                throw new MalformedProtobufException($"{definition}.{field.JsonName}: {error}");
            return new(nested, true);
        }
        try
        {
            return new(JsonNode.Parse(raw), true);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new MalformedProtobufException($"{definition}.{field.JsonName}: raw bytes are not JSON ({e.Message})");
        }
    }

    private static JsonNode? ZeroValue(SchemaType type) => type.Ref switch
    {
        QuantityRef => "",
        null => type.Type switch
        {
            "string" => "",
            "integer" => 0,
            "boolean" => false,
            "number" => 0.0,
            _ => null,
        },
        _ => new JsonObject(),
    };

    private static bool IsPackable(SchemaType item) => item.Ref is null && item.Type is "integer" or "boolean" or "number";

    private static WireType PackedWireType(SchemaType item) =>
        item.Type == "number" ? (item.Format == "float" ? WireType.Fixed32 : WireType.Fixed64) : WireType.Varint;

    // RFC 3339 years 0001-9999, as Go's Timestamp allows.
    private const long MinSeconds = -62135596800, MaxSeconds = 253402300799;

    private static (long Seconds, int Nanos) ReadTimestamp(ReadOnlySpan<byte> bytes)
    {
        var reader = new ProtoReader(bytes);
        long seconds = 0;
        var nanos = 0;
        while (reader.TryReadTag(out var number, out var wire))
        {
            if (number == 1 && wire == WireType.Varint) seconds = (long)reader.ReadVarint();
            else if (number == 2 && wire == WireType.Varint) nanos = (int)reader.ReadVarint();
            else reader.Skip(wire);
        }
        if (seconds is < MinSeconds or > MaxSeconds || nanos is < 0 or > 999_999_999)
            throw new MalformedProtobufException($"timestamp {seconds}s {nanos}ns is outside 0001-9999");
        return (seconds, nanos);
    }

    private static long ReadInt64Field(ReadOnlySpan<byte> bytes, int wanted)
    {
        var reader = new ProtoReader(bytes);
        long value = 0;
        while (reader.TryReadTag(out var number, out var wire))
        {
            if (number == wanted && wire == WireType.Varint) value = (long)reader.ReadVarint();
            else reader.Skip(wire);
        }
        return value;
    }

    private static string ReadStringField(ReadOnlySpan<byte> bytes, int wanted, string definition, ProtoField field) =>
        Utf8(ReadBytesField(bytes, wanted, definition, field), definition, field);

    private static ReadOnlySpan<byte> ReadBytesField(ReadOnlySpan<byte> bytes, int wanted, string definition, ProtoField field)
    {
        var reader = new ProtoReader(bytes);
        ReadOnlySpan<byte> value = default;
        while (reader.TryReadTag(out var number, out var wire))
        {
            if (number == wanted)
            {
                Expect(wire, WireType.LengthDelimited, definition, field);
                value = reader.ReadLengthDelimited();
            }
            else
            {
                reader.Skip(wire);
            }
        }
        return value;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static string Utf8(ReadOnlySpan<byte> bytes, string definition, ProtoField field)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new MalformedProtobufException($"{definition}.{field.JsonName}: string is not valid UTF-8");
        }
    }

    private static void Expect(WireType actual, WireType expected, string definition, ProtoField field)
    {
        if (actual != expected) throw WrongWire(actual, definition, field);
    }

    private static MalformedProtobufException WrongWire(WireType actual, string definition, ProtoField field) =>
        new($"{definition}.{field.JsonName} (field {field.Number}): unexpected wire type {(int)actual}");
}
