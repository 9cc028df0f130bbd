using System.Text;

namespace Skiff.Api.Tests.Protobuf;

/// <summary>Builds protobuf bytes by hand, the way gogo-generated Go code lays them out, so a test states
/// every field number it relies on.</summary>
internal sealed class ProtoWriter
{
    private readonly List<byte> _bytes = [];

    public byte[] ToArray() => [.. _bytes];

    public ProtoWriter Varint(int field, long value)
    {
        Tag(field, 0);
        WriteVarint((ulong)value);
        return this;
    }

    public ProtoWriter Bool(int field, bool value) => Varint(field, value ? 1 : 0);

    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoWriter Bytes(int field, byte[] value)
    {
        Tag(field, 2);
        WriteVarint((ulong)value.Length);
        _bytes.AddRange(value);
        return this;
    }

    public ProtoWriter Message(int field, Action<ProtoWriter> build)
    {
        var inner = new ProtoWriter();
        build(inner);
        return Bytes(field, inner.ToArray());
    }

    /// <summary>A map entry as Go writes map fields: a message with key = 1 and value = 2.</summary>
    public ProtoWriter MapEntry(int field, string key, string value) =>
        Message(field, e => e.String(1, key).String(2, value));

    public ProtoWriter MapEntry(int field, string key, byte[] value) =>
        Message(field, e => e.String(1, key).Bytes(2, value));

    /// <summary>A map entry whose value is a resource.Quantity message (string = 1).</summary>
    public ProtoWriter QuantityEntry(int field, string key, string quantity) =>
        Message(field, e => e.String(1, key).Message(2, q => q.String(1, quantity)));

    public ProtoWriter Raw(byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    /// <summary>A whole request body: magic, then runtime.Unknown {typeMeta {apiVersion, kind}, raw}.</summary>
    public static byte[] Envelope(string apiVersion, string kind, Action<ProtoWriter> build)
    {
        var obj = new ProtoWriter();
        build(obj);
        var unknown = new ProtoWriter()
            .Message(1, t => t.String(1, apiVersion).String(2, kind))
            .Bytes(2, obj.ToArray())
            .String(3, "")
            .String(4, "");
        return [.. "k8s\0"u8.ToArray(), .. unknown.ToArray()];
    }

    private void Tag(int field, int wire) => WriteVarint((ulong)((field << 3) | wire));

    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }
        _bytes.Add((byte)value);
    }
}
