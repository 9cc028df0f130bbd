using System.Text.Json.Nodes;
using Skiff.Api.Patch;
using Skiff.Api.Schema;
using static Skiff.Api.Tests.Patch.StrategicPatchAssert;

namespace Skiff.Api.Tests.Patch;

/// <summary>Patches shaped like the ones kubectl sends, and the engine's promises to its callers.</summary>
public class StrategicMergePatchClientTests
{
    private const string WebDeployment = """
        {"apiVersion":"apps/v1","kind":"Deployment",
         "metadata":{"name":"web","namespace":"default","resourceVersion":"41","generation":3,
                     "annotations":{"deployment.kubernetes.io/revision":"3","kubectl.kubernetes.io/last-applied-configuration":"{\"old\":true}"},
                     "labels":{"app":"web"}},
         "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
                 "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}},
                 "template":{"metadata":{"labels":{"app":"web"}},
                             "spec":{"containers":[
                               {"name":"web","image":"nginx:1.25","ports":[{"containerPort":80,"protocol":"TCP"}]},
                               {"name":"metrics","image":"exporter:0.1"}]}}},
         "status":{"replicas":2}}
        """;

    [Fact]
    public void Kubectl_edit_changing_one_container_image()
    {
        // The two-way patch kubectl edit computes for a changed image: the changed element with its merge key,
        // the order of the whole list, and the refreshed last-applied annotation.
        const string patch = """
            {"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"new\":true}"}},
             "spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"web"},{"name":"metrics"}],
                                         "containers":[{"image":"nginx:1.27","name":"web"}]}}}}
            """;

        var result = Apply(WebDeployment, patch, Deployment);

        NoDirectives(result);
        Equal("""
            [{"name":"web","image":"nginx:1.27","ports":[{"containerPort":80,"protocol":"TCP"}]},
             {"name":"metrics","image":"exporter:0.1"}]
            """, result["spec"]!["template"]!["spec"]!["containers"]);
        Equal("""{"deployment.kubernetes.io/revision":"3","kubectl.kubernetes.io/last-applied-configuration":"{\"new\":true}"}""",
            result["metadata"]!["annotations"]);
        Equal("2", result["spec"]!["replicas"]);
        Equal("""{"replicas":2}""", result["status"]);
    }

    [Fact]
    public void Kubectl_apply_removing_a_container_and_adding_another()
    {
        // Three-way patch: deletion directive for the dropped container, the new one in full, and the order.
        const string patch = """
            {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"sidecar"},{"name":"web"}],
                                         "containers":[{"name":"sidecar","image":"envoy"},{"$patch":"delete","name":"metrics"}]}}}}
            """;

        var result = Apply(WebDeployment, patch, Deployment);

        NoDirectives(result);
        Equal("""
            [{"name":"sidecar","image":"envoy"},
             {"name":"web","image":"nginx:1.25","ports":[{"containerPort":80,"protocol":"TCP"}]}]
            """, result["spec"]!["template"]!["spec"]!["containers"]);
    }

    [Fact]
    public void Kubectl_patch_adding_a_container_port_merges_on_containerPort()
    {
        var result = Apply(WebDeployment,
            """{"spec":{"template":{"spec":{"containers":[{"name":"web","ports":[{"containerPort":443}]}]}}}}""", Deployment);

        Equal("""[{"containerPort":443},{"containerPort":80,"protocol":"TCP"}]""",
            result["spec"]!["template"]!["spec"]!["containers"]![0]!["ports"]);
    }

    [Fact]
    public void Schema_from_kind_lookup_drives_the_merge()
    {
        var schema = SchemaExtensions.FindForKind(new("apps", "v1", "Deployment"));
        Assert.NotNull(schema);

        var result = StrategicMergePatch.Apply(Parse(WebDeployment),
            JsonNode.Parse("""{"spec":{"template":{"spec":{"containers":[{"name":"metrics","image":"exporter:0.2"}]}}}}"""), schema);

        Assert.Equal(2, result["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Count);
    }

    [Fact]
    public void Unknown_kind_without_schema_acts_as_json_merge_patch()
    {
        const string widget = """
            {"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","labels":{"a":"1","b":"2"}},
             "spec":{"size":3,"items":[{"name":"x","v":1},{"name":"y","v":2}],"nested":{"keep":true,"drop":1}}}
            """;

        var result = Apply(widget, """
            {"metadata":{"labels":{"b":null,"c":"3"}},
             "spec":{"items":[{"name":"y","v":5}],"nested":{"drop":null,"add":{"deep":null,"k":"v"}}}}
            """, definition: null);

        Equal("""
            {"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","labels":{"a":"1","c":"3"}},
             "spec":{"size":3,"items":[{"name":"y","v":5}],"nested":{"keep":true,"add":{"k":"v"}}}}
            """, result);
    }

    [Fact]
    public void Unknown_kind_still_honours_map_directives()
    {
        var result = Apply("""{"spec":{"a":{"x":1,"y":2},"b":{"z":1}}}""",
            """{"spec":{"a":{"$patch":"replace","w":0},"b":{"$patch":"delete"}}}""", definition: null);

        Equal("""{"spec":{"a":{"w":0},"b":{}}}""", result);
    }

    [Fact]
    public void Neither_input_is_modified()
    {
        var original = Parse(WebDeployment);
        var patch = JsonNode.Parse("""
            {"metadata":{"labels":{"app":null}},
             "spec":{"template":{"spec":{"containers":[{"name":"web","image":"x"},{"$patch":"delete","name":"metrics"}]}}}}
            """)!;
        var originalBefore = original.ToJsonString();
        var patchBefore = patch.ToJsonString();

        var result = StrategicMergePatch.Apply(original, patch, SchemaExtensions.Find(Deployment));

        Assert.Equal(originalBefore, original.ToJsonString());
        Assert.Equal(patchBefore, patch.ToJsonString());
        Assert.Single(result["spec"]!["template"]!["spec"]!["containers"]!.AsArray());
    }

    [Fact]
    public void Failed_patch_leaves_the_original_intact()
    {
        var original = Parse(WebDeployment);
        var before = original.ToJsonString();

        Assert.Throws<PatchException>(() => StrategicMergePatch.Apply(original,
            JsonNode.Parse("""{"metadata":{"labels":null},"spec":{"strategy":{"$retainKeys":"type"}}}"""), SchemaExtensions.Find(Deployment)));

        Assert.Equal(before, original.ToJsonString());
    }

    [Fact]
    public void Null_patch_changes_nothing()
    {
        var result = StrategicMergePatch.Apply(Parse(WebDeployment), null, SchemaExtensions.Find(Deployment));

        Equal(WebDeployment, result);
    }
}
