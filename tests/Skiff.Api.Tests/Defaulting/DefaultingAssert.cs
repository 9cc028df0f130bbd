using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Skiff.Api.Defaulting;

namespace Skiff.Api.Tests.Defaulting;

internal static class DefaultingAssert
{
    /// <summary>Applies the defaulter, proves a second pass changes nothing, and returns the result.</summary>
    public static JsonObject Defaulted(string group, string version, string kind, string json)
    {
        var obj = JsonNode.Parse(Expand(json))!.AsObject();
        Defaulter.Apply(group, version, kind, obj);
        var once = obj.DeepClone();
        Defaulter.Apply(group, version, kind, obj);
        Assert.True(JsonNode.DeepEquals(once, obj), $"second Apply changed the object:\n{once.ToJsonString()}\n{obj.ToJsonString()}");
        return obj;
    }

    public static void Equal(string expectedJson, JsonNode? actual)
    {
        var expected = JsonNode.Parse(Expand(expectedJson));
        Assert.True(JsonNode.DeepEquals(expected, actual),
            $"expected:\n{expected?.ToJsonString()}\nactual:\n{actual?.ToJsonString()}");
    }

    /// <summary>The pod template most workload tests use: one busybox:1 container labelled app=a.</summary>
    public const string Template = """{"metadata":{"labels":{"app":"a"}},"spec":{"containers":[{"name":"c","image":"busybox:1"}]}}""";

    /// <summary>Expands @TEMPLATE into <see cref="Template"/> and @SPEC or @SPEC(restartPolicy) into
    /// that template's defaulted spec, to keep whole-object expectations short.</summary>
    public static string Expand(string json) =>
        Regex.Replace(json.Replace("@TEMPLATE", Template), @"@SPEC(?:\((\w+)\))?", m =>
            TemplateSpec(Container("c", "busybox:1", "IfNotPresent"), m.Groups[1].Success ? m.Groups[1].Value : "Always"));

    /// <summary>The defaults every container gets, given its image's pull policy.</summary>
    public static string Container(string name, string image, string pullPolicy) =>
        $$"""{"name":"{{name}}","image":"{{image}}","imagePullPolicy":"{{pullPolicy}}","resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}""";

    /// <summary>The defaults every pod template spec gets around the given containers.</summary>
    public static string TemplateSpec(string containers, string restartPolicy = "Always") =>
        $$"""{"containers":[{{containers}}],"restartPolicy":"{{restartPolicy}}","dnsPolicy":"ClusterFirst","securityContext":{},"terminationGracePeriodSeconds":30,"schedulerName":"default-scheduler"}""";
}
