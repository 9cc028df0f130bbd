using System.Text.Json.Nodes;
using Skiff.ApiServer.CustomResources;

namespace Skiff.ApiServer.Tests.CustomResources;

/// <summary>Structural pruning and defaulting of custom objects.</summary>
public sealed class SchemaPrunerTests
{
    private static CrdSchema Parse(string json) => CrdSchema.Parse(JsonNode.Parse(json)!.AsObject());

    private static readonly CrdSchema Schema = Parse("""
        {"type":"object","properties":{
          "spec":{"type":"object","properties":{
            "known":{"type":"string"},
            "items":{"type":"array","items":{"type":"object","properties":{"a":{"type":"string"}}}},
            "free":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"typed":{"type":"object","properties":{"x":{"type":"string"}}}}},
            "map":{"type":"object","additionalProperties":{"type":"object","properties":{"v":{"type":"string"}}}},
            "embedded":{"type":"object","x-kubernetes-embedded-resource":true,"properties":{"spec":{"type":"object"}}},
            "replicas":{"type":"integer","default":1},
            "strategy":{"type":"object","default":{},"properties":{"type":{"type":"string","default":"Rolling"}}},
            "nullable":{"type":"string","nullable":true},
            "plain":{"type":"string"}
          }}}}
        """);

    [Fact]
    public void UnknownFieldsAreDroppedAndReportedWithTheirPaths()
    {
        var obj = JsonNode.Parse("""
            {"apiVersion":"x/v1","kind":"K","metadata":{"name":"n"},"top":1,
             "spec":{"known":"k","unknown":1,"items":[{"a":"1","b":2}],
                     "free":{"anything":{"goes":true},"typed":{"x":"1","y":2}},
                     "map":{"k":{"v":"1","w":2}},
                     "embedded":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{},"extra":1}}}
            """)!.AsObject();
        var pruned = SchemaPruner.Prune(obj, Schema);
        Assert.Equal(["top", "spec.unknown", "spec.items[0].b", "spec.free.typed.y", "spec.map.k.w", "spec.embedded.extra"], pruned);
        Assert.Equal("""{"apiVersion":"x/v1","kind":"K","metadata":{"name":"n"},"spec":{"known":"k","items":[{"a":"1"}],"free":{"anything":{"goes":true},"typed":{"x":"1"}},"map":{"k":{"v":"1"}},"embedded":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{}}}}""",
            obj.ToJsonString());
    }

    [Fact]
    public void DefaultsFillAbsentFieldsTopDown()
    {
        var obj = JsonNode.Parse("""{"apiVersion":"x/v1","kind":"K","metadata":{"name":"n"},"spec":{}}""")!.AsObject();
        SchemaPruner.Default(obj, Schema);
        Assert.Equal("""{"replicas":1,"strategy":{"type":"Rolling"}}""", obj["spec"]!.ToJsonString());
    }

    [Fact]
    public void SetValuesWinOverDefaults()
    {
        var obj = JsonNode.Parse("""{"spec":{"replicas":3,"strategy":{"type":"Recreate"}}}""")!.AsObject();
        SchemaPruner.Default(obj, Schema);
        Assert.Equal("""{"replicas":3,"strategy":{"type":"Recreate"}}""", obj["spec"]!.ToJsonString());
    }

    [Fact]
    public void NullsAreDefaultedOrDroppedUnlessNullable()
    {
        var obj = JsonNode.Parse("""{"spec":{"replicas":null,"nullable":null,"plain":null}}""")!.AsObject();
        SchemaPruner.Default(obj, Schema);
        Assert.Equal("""{"replicas":1,"nullable":null,"strategy":{"type":"Rolling"}}""", obj["spec"]!.ToJsonString());
    }

    [Fact]
    public void PreserveUnknownFieldsAtTheRootKeepsEverything()
    {
        var obj = JsonNode.Parse("""{"spec":{"a":1},"other":{"b":2}}""")!.AsObject();
        Assert.Empty(SchemaPruner.Prune(obj, Parse("""{"type":"object","x-kubernetes-preserve-unknown-fields":true}""")));
        Assert.Equal("""{"spec":{"a":1},"other":{"b":2}}""", obj.ToJsonString());
    }
}
