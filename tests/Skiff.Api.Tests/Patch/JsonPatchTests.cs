using System.Text.Json.Nodes;
using Skiff.Api.Patch;

namespace Skiff.Api.Tests.Patch;

public sealed class JsonPatchTests
{
    private static JsonNode Doc() => JsonNode.Parse("""{"a":{"b":1,"c":[1,2,3]},"d":"x"}""")!;

    private static string Apply(string patch) => JsonPatch.Apply(Doc(), JsonNode.Parse(patch))!.ToJsonString();

    [Fact]
    public void AddReplaceRemove()
    {
        Assert.Equal("""{"a":{"b":1,"c":[1,2,3],"e":true},"d":"x"}""", Apply("""[{"op":"add","path":"/a/e","value":true}]"""));
        Assert.Equal("""{"a":{"b":1,"c":[1,9,2,3]},"d":"x"}""", Apply("""[{"op":"add","path":"/a/c/1","value":9}]"""));
        Assert.Equal("""{"a":{"b":1,"c":[1,2,3,4]},"d":"x"}""", Apply("""[{"op":"add","path":"/a/c/-","value":4}]"""));
        Assert.Equal("""{"a":{"b":2,"c":[1,2,3]},"d":"x"}""", Apply("""[{"op":"replace","path":"/a/b","value":2}]"""));
        Assert.Equal("""{"a":{"b":1,"c":[1,3]},"d":"x"}""", Apply("""[{"op":"remove","path":"/a/c/1"}]"""));
    }

    [Fact]
    public void MoveCopyAndEscapedPointers()
    {
        Assert.Equal("""{"a":{"c":[1,2,3]},"d":"x","b":1}""", Apply("""[{"op":"move","from":"/a/b","path":"/b"}]"""));
        Assert.Equal("""{"a":{"b":1,"c":[1,2,3]},"d":"x","e":"x"}""", Apply("""[{"op":"copy","from":"/d","path":"/e"}]"""));
        var doc = JsonNode.Parse("""{"m":{"a/b":1,"c~d":2}}""");
        Assert.Equal("""{"m":{"c~d":2}}""", JsonPatch.Apply(doc, JsonNode.Parse("""[{"op":"remove","path":"/m/a~1b"}]"""))!.ToJsonString());
    }

    [Fact]
    public void FailedTestIsInvalidAndLeavesTheInputAlone()
    {
        var doc = Doc();
        var e = Assert.Throws<PatchException>(() => JsonPatch.Apply(doc, JsonNode.Parse("""[{"op":"replace","path":"/d","value":"y"},{"op":"test","path":"/a/b","value":2}]""")));
        Assert.True(e.IsInvalid);
        Assert.Equal("x", doc["d"]!.GetValue<string>());
    }

    [Fact]
    public void RemovingAMissingPathFails() =>
        Assert.Throws<PatchException>(() => Apply("""[{"op":"remove","path":"/nope"}]"""));

    [Fact]
    public void APatchThatIsNotAnArrayIsABadRequest() =>
        Assert.False(Assert.Throws<PatchException>(() => Apply("""{"op":"remove"}""")).IsInvalid);
}

public sealed class JsonMergePatchTests
{
    [Theory]
    [InlineData("""{"a":"b"}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"b":"c"}""", """{"a":"b","b":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"a":null}""", """{}""")]
    [InlineData("""{"a":"b","b":"c"}""", """{"a":null}""", """{"b":"c"}""")]
    [InlineData("""{"a":["b"]}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"c"}""", """{"a":["b"]}""", """{"a":["b"]}""")]
    [InlineData("""{"a":{"b":"c"}}""", """{"a":{"b":"d","c":null}}""", """{"a":{"b":"d"}}""")]
    [InlineData("""{"a":[{"b":"c"}]}""", """{"a":[1]}""", """{"a":[1]}""")]
    [InlineData("""{"e":null}""", """{"a":1}""", """{"e":null,"a":1}""")]
    [InlineData("""{}""", """{"a":{"bb":{"ccc":null}}}""", """{"a":{"bb":{}}}""")]
    public void FollowsRfc7386(string target, string patch, string expected) =>
        Assert.Equal(expected, JsonMergePatch.Apply(JsonNode.Parse(target), JsonNode.Parse(patch))!.ToJsonString());
}
