using System.Text.Json.Nodes;
using Skiff.Api.Defaulting;

namespace Skiff.Api.Tests.Defaulting;

internal static class DefaultingAssert
{
    /// <summary>Applies the defaulter, proves a second pass changes nothing, and returns the result.</summary>
    public static JsonObject Defaulted(string group, string version, string kind, string json)
    {
        var obj = JsonNode.Parse(json)!.AsObject();
        Defaulter.Apply(group, version, kind, obj);
        var once = obj.DeepClone();
        Defaulter.Apply(group, version, kind, obj);
        Assert.True(JsonNode.DeepEquals(once, obj), $"second Apply changed the object:\n{once.ToJsonString()}\n{obj.ToJsonString()}");
        return obj;
    }

    public static void Equal(string expectedJson, JsonNode? actual)
    {
        var expected = JsonNode.Parse(expectedJson);
        Assert.True(JsonNode.DeepEquals(expected, actual),
            $"expected:\n{expected?.ToJsonString()}\nactual:\n{actual?.ToJsonString()}");
    }

    /// <summary>The defaults every container gets, given its image's pull policy.</summary>
    public static string Container(string name, string image, string pullPolicy) =>
        $$"""{"name":"{{name}}","image":"{{image}}","imagePullPolicy":"{{pullPolicy}}","resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}""";

    /// <summary>The defaults every pod template spec gets around the given containers.</summary>
    public static string TemplateSpec(string containers, string restartPolicy = "Always") =>
        $$"""{"containers":[{{containers}}],"restartPolicy":"{{restartPolicy}}","dnsPolicy":"ClusterFirst","securityContext":{},"terminationGracePeriodSeconds":30,"schedulerName":"default-scheduler"}""";
}
