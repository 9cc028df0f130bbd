namespace Skiff.Api.Protobuf;

/// <summary>The protobuf wire types that appear in Kubernetes messages (groups are never used).</summary>
internal enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
}

/// <summary>Thrown inside the decoder for bytes that are not a well-formed message; caught once at
/// <see cref="KubernetesProtobuf.TryDecodeToJson"/> and turned into an error string.</summary>
internal sealed class MalformedProtobufException(string message) : Exception(message);

/// <summary>
/// A forward-only reader of the protobuf wire format over a span: tags, varints, fixed-width numbers and
/// length-delimited payloads. It never allocates; payloads are slices of the input.
/// </summary>
internal ref struct ProtoReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly bool AtEnd => _position >= _data.Length;

    /// <summary>Bytes consumed so far, from the start of the span.</summary>
    public readonly int Position => _position;

    /// <summary>Reads the next field tag; false at the end of the message.</summary>
    public bool TryReadTag(out int fieldNumber, out WireType wireType)
    {
        if (AtEnd)
        {
            fieldNumber = 0;
            wireType = default;
            return false;
        }
        var tag = ReadVarint();
        fieldNumber = (int)(tag >> 3);
        wireType = (WireType)(tag & 7);
        if (fieldNumber <= 0 || tag >> 3 > int.MaxValue)
            throw new MalformedProtobufException($"invalid field number in tag {tag} at offset {_position}");
        return true;
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (_position >= _data.Length) throw new MalformedProtobufException("truncated varint");
            var b = _data[_position++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new MalformedProtobufException("varint longer than 10 bytes");
    }

    public ulong ReadFixed64()
    {
        var bytes = Take(8);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }

    public uint ReadFixed32()
    {
        var bytes = Take(4);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes);
    }

    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        var length = ReadVarint();
        if (length > int.MaxValue) throw new MalformedProtobufException("length-delimited field too long");
        return Take((int)length);
    }

    /// <summary>Skips a field's value, e.g. a field number this table does not know (a newer client).</summary>
    public void Skip(WireType wireType)
    {
        switch (wireType)
        {
            case WireType.Varint: ReadVarint(); break;
            case WireType.Fixed64: Take(8); break;
            case WireType.LengthDelimited: ReadLengthDelimited(); break;
            case WireType.Fixed32: Take(4); break;
            default: throw new MalformedProtobufException($"unsupported wire type {(int)wireType}");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _data.Length - _position)
            throw new MalformedProtobufException($"field of {count} bytes runs past the end of its message at offset {_position}");
        var slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }
}
