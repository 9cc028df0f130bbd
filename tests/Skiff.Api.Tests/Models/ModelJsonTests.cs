using System.Collections;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Skiff.Api.Json;
using Skiff.Api.Models;
using Skiff.Api.Models.Core.V1;

namespace Skiff.Api.Tests.Models;

/// <summary>
/// The generated serializers (ModelGen's ModelJsonWriter) against System.Text.Json reading and writing the same classes
/// through their attributes by reflection, the wire form the models had before: the same bytes for every model, every
/// property filled.
/// </summary>
public sealed class ModelJsonTests
{
    private static readonly JsonSerializerOptions Reflection = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    public static IEnumerable<object[]> GeneratedModels() =>
        typeof(ModelJson).Assembly.GetTypes()
            .Where(t => t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IJsonModel<>)))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => new object[] { t.FullName! });

    [Fact]
    public void The_typed_kinds_and_what_they_reach_have_serializers_and_nothing_more()
    {
        var names = GeneratedModels().Select(o => (string)o[0]).ToHashSet();
        Assert.Contains(typeof(Pod).FullName!, names);
        Assert.Contains(typeof(PodList).FullName!, names);
        Assert.Contains(typeof(Container).FullName!, names); // reached through Pod.spec
        Assert.DoesNotContain(typeof(Skiff.Api.Models.Certificates.V1.CertificateSigningRequest).FullName!, names);
        Assert.InRange(names.Count, 250, 450);
    }

    [Theory]
    [MemberData(nameof(GeneratedModels))]
    public void Every_property_is_written_and_read_as_System_Text_Json_does(string typeName)
    {
        var type = typeof(ModelJson).Assembly.GetType(typeName, throwOnError: true)!;
        typeof(ModelJsonTests).GetMethod(nameof(Compare), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(type).Invoke(null, [Filled(type, 0)]);
    }

    private static void Compare<T>(T value) where T : class, IJsonModel<T>
    {
        var expected = JsonSerializer.Serialize(value, Reflection);
        Assert.Equal(expected, ModelJson.Serialize(value));

        var read = ModelJson.Deserialize<T>(expected)!;
        Assert.Equal(expected, JsonSerializer.Serialize(read, Reflection));
        Assert.Equal(expected, ModelJson.Serialize(read));
    }

    [Fact]
    public void Explicit_nulls_unknown_fields_and_escapes_read_as_System_Text_Json_reads_them()
    {
        const string json = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p\u00e9<&>","labels":{"a":"x\"y","b":"\ud83d\ude00"},
             "creationTimestamp":null,"annotations":null,"ownerReferences":[null]},
             "spec":{"containers":[{"name":"c","args":["a",null,"b"],"resources":{"limits":{"cpu":2,"memory":"1Gi"}},
             "ports":[{"containerPort":80}],"livenessProbe":{"httpGet":{"port":null}},"unknown":{"deep":[1,2.5,null,true]}}],
             "volumes":[{"name":"v","emptyDir":{"sizeLimit":null}}],"nodeSelector":{},"\u0068ostNetwork":true,
             "terminationGracePeriodSeconds":30,"overhead":null},
             "status":{"phase":"Running","startTime":"2026-01-02T03:04:05+01:00"},"zz":null,"a-very-long-unknown-property-name-that-does-not-fit-the-stack-buffer-used-for-names-which-is-one-hundred-twenty-eight-characters-long":1}
            """;
        var mine = ModelJson.Deserialize<Pod>(json)!;
        var theirs = JsonSerializer.Deserialize<Pod>(json, Reflection)!;
        Assert.Equal(JsonSerializer.Serialize(theirs, Reflection), ModelJson.Serialize(mine));
        Assert.True(mine.Spec!.HostNetwork); // an escaped property name is matched unescaped
        Assert.Equal(["a", null, "b"], mine.Spec.Containers![0].Args!);
        Assert.Null(mine.Metadata!.OwnerReferences![0]);
        Assert.Equal("2", mine.Spec.Containers[0].Resources!.Limits!["cpu"].Value);
        Assert.Null(mine.Spec.Volumes![0].EmptyDir!.SizeLimit); // a null Quantity is no quantity, not an empty one
        Assert.Null(mine.Spec.Containers[0].LivenessProbe!.HttpGet!.Port);
    }

    [Theory]
    [InlineData("""{"spec":{"containers":"no"}}""")]
    [InlineData("""{"spec":{"terminationGracePeriodSeconds":"30"}}""")]
    [InlineData("""{"spec":{"terminationGracePeriodSeconds":1.5}}""")]
    [InlineData("""{"spec":{"hostNetwork":1}}""")]
    [InlineData("""{"metadata":{"name":7}}""")]
    [InlineData("""{"metadata":[]}""")]
    [InlineData("""{"metadata":{"name":"a"}""")]
    [InlineData("""{"kind":"Pod"} {}""")]
    [InlineData("""{"spec":{"securityContext":{"supplementalGroups":[null]}}}""")]
    [InlineData("""{"spec":{"overhead":{"cpu":null}}}""")]
    [InlineData("")]
    public void Malformed_or_mistyped_json_is_a_JsonException_as_with_System_Text_Json(string json)
    {
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<Pod>(json, Reflection));
        Assert.ThrowsAny<JsonException>(() => ModelJson.Deserialize<Pod>(json));
    }

    [Fact]
    public async Task A_stream_is_read_whole_in_pooled_pieces()
    {
        var pods = new PodList { Kind = "PodList", ApiVersion = "v1", Items = [] };
        for (var i = 0; i < 500; i++) pods.Items.Add(new Pod { Metadata = new() { Name = $"pod-{i}", Labels = new() { ["n"] = new string('x', 100) } } });
        var bytes = ModelJson.SerializeToUtf8Bytes(pods);
        Assert.True(bytes.Length > 64 * 1024);

        var read = await ModelJson.DeserializeAsync<PodList>(new MemoryStream(bytes), CancellationToken.None);

        Assert.Equal(500, read!.Items!.Count);
        Assert.Equal("pod-499", read.Items[499].Metadata!.Name);
        Assert.Equal(bytes, ModelJson.SerializeToUtf8Bytes(read));
    }

    [Fact]
    public void A_body_in_pieces_reads_the_same_wherever_a_piece_ends()
    {
        var pod = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p\u00e9","creationTimestamp":"2026-01-02T03:04:05Z","labels":{"a-rather-long-label-key":"v"}},
             "spec":{"containers":[{"name":"c","resources":{"limits":{"cpu":2.50,"memory":"64Mi"}},"ports":[{"containerPort":8080}],
             "livenessProbe":{"httpGet":{"port":"http"}}}],"terminationGracePeriodSeconds":30,"hostNetwork":false},"future":{"x":[1,null]}}
            """u8.ToArray();
        var secret = """{"apiVersion":"v1","kind":"Secret","data":{"k":"aGVsbG8gd29ybGQ="},"type":"Opaque"}"""u8.ToArray();
        AssertSameAtEverySplit<Pod>(pod);
        AssertSameAtEverySplit<Skiff.Api.Models.Core.V1.Secret>(secret);
    }

    private static void AssertSameAtEverySplit<T>(byte[] json) where T : class, IJsonModel<T>
    {
        var whole = ModelJson.Serialize(ModelJson.Deserialize<T>(json)!);
        for (var i = 1; i < json.Length; i++)
        {
            var first = new Piece(json.AsMemory(0, i), 0);
            var second = first.Append(json.AsMemory(i));
            var read = ModelJson.Deserialize<T>(new System.Buffers.ReadOnlySequence<byte>(first, 0, second, second.Memory.Length))!;
            Assert.Equal(whole, ModelJson.Serialize(read));
        }
    }

    private sealed class Piece : System.Buffers.ReadOnlySequenceSegment<byte>
    {
        public Piece(ReadOnlyMemory<byte> memory, long runningIndex) => (Memory, RunningIndex) = (memory, runningIndex);

        public Piece Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Piece(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    [Fact]
    public void A_null_document_reads_as_null()
    {
        Assert.Null(ModelJson.Deserialize<Pod>("null"));
    }

    /// <summary>An instance with every property set: lists and maps with a value (and a null where the item type allows it).</summary>
    private static object Filled(Type type, int depth)
    {
        var o = Activator.CreateInstance(type)!;
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var value = p.Name == "ExtensionData"
                ? new Dictionary<string, JsonElement> { ["zz-unknown"] = JsonDocument.Parse("""{"a":[1,null,"\u00e9"]}""").RootElement.Clone() }
                : Value(p.PropertyType, p, depth);
            p.SetValue(o, value);
        }
        return o;
    }

    private static object? Value(Type type, PropertyInfo? property, int depth)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(string)) return $"v-{property?.Name ?? "item"} <&> é \"q\"";
        if (t == typeof(bool)) return true;
        if (t == typeof(int)) return -7;
        if (t == typeof(long)) return 1L << 40;
        if (t == typeof(double)) return 0.1 + 0.2;
        if (t == typeof(byte[])) return Encoding.UTF8.GetBytes("bytes");
        if (t == typeof(Quantity)) return new Quantity("1500m");
        if (t == typeof(IntOrString)) return property?.Name.Length % 2 == 0 ? IntOrString.FromInt(8080) : IntOrString.FromString("http");
        if (t == typeof(DateTimeOffset)) return new DateTimeOffset(2026, 12, 7, 1, 2, 3, 456, TimeSpan.Zero).AddTicks(7890);
        if (t == typeof(JsonElement)) return JsonDocument.Parse("""{"free":["form",1.5,{"x":null}]}""").RootElement.Clone();
        if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>))
        {
            var item = t.GetGenericArguments()[0];
            var list = (IList)Activator.CreateInstance(t)!;
            if (depth < 3) list.Add(Value(item, null, depth + 1));
            if (!item.IsValueType) list.Add(null);
            return list;
        }
        if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            var item = t.GetGenericArguments()[1];
            var map = (IDictionary)Activator.CreateInstance(t)!;
            if (depth < 3) map["k"] = Value(item, null, depth + 1);
            if (!item.IsValueType) map["n"] = null;
            return map;
        }
        if (t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IJsonModel<>)))
            return depth < 3 ? Filled(t, depth + 1) : null;
        throw new InvalidOperationException($"no sample value for {t}");
    }
}
