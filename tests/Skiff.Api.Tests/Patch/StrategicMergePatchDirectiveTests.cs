using System.Text.Json.Nodes;
using Skiff.Api.Patch;
using static Skiff.Api.Tests.Patch.StrategicPatchAssert;

namespace Skiff.Api.Tests.Patch;

public class StrategicMergePatchDirectiveTests
{
    private const string RollingDeployment = """
        {"kind":"Deployment","metadata":{"name":"d"},
         "spec":{"replicas":1,"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}},
                 "template":{"spec":{"containers":[{"name":"web","image":"nginx"}]}}}}
        """;

    [Fact]
    public void Retain_keys_switching_to_Recreate_drops_rollingUpdate()
    {
        // What kubectl apply sends when the manifest changes the strategy type.
        var result = Apply(RollingDeployment,
            """{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":null,"type":"Recreate"}}}""", Deployment);

        Equal("""{"type":"Recreate"}""", result["spec"]!["strategy"]);
        Equal("1", result["spec"]!["replicas"]);
    }

    [Fact]
    public void Retain_keys_alone_clears_fields_not_listed()
    {
        var result = Apply(RollingDeployment, """{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}""", Deployment);

        Equal("""{"type":"Recreate"}""", result["spec"]!["strategy"]);
    }

    [Fact]
    public void Retain_keys_that_omit_a_patched_field_is_a_bad_request()
    {
        var error = Assert.Throws<PatchException>(() => Apply(RollingDeployment,
            """{"spec":{"strategy":{"$retainKeys":["type"],"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}}""", Deployment));

        Assert.Equal("invalid patch format of retainKeys", error.Message);
        Assert.False(error.IsInvalid);
    }

    [Fact]
    public void Set_element_order_reorders_a_merged_list()
    {
        const string pod = """{"spec":{"containers":[{"name":"a","image":"1"},{"name":"b","image":"2"}]}}""";

        var result = Apply(pod, """{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}]}}""", Pod);

        Equal("""[{"name":"b","image":"2"},{"name":"a","image":"1"}]""", result["spec"]!["containers"]);
        NoDirectives(result);
    }

    [Fact]
    public void Set_element_order_places_a_new_element_where_the_order_says()
    {
        const string pod = """{"spec":{"containers":[{"name":"a"},{"name":"c"}]}}""";

        var result = Apply(pod,
            """{"spec":{"$setElementOrder/containers":[{"name":"a"},{"name":"b"},{"name":"c"}],"containers":[{"name":"b","image":"x"}]}}""", Pod);

        Equal("""[{"name":"a"},{"name":"b","image":"x"},{"name":"c"}]""", result["spec"]!["containers"]);
    }

    [Fact]
    public void Set_element_order_with_deletions_on_a_primitive_list()
    {
        // kubectl's two-way patch for finalizers [a, b] -> [b, c].
        var result = Apply("""{"metadata":{"finalizers":["a","b"]}}""",
            """{"metadata":{"$setElementOrder/finalizers":["b","c"],"$deleteFromPrimitiveList/finalizers":["a"],"finalizers":["c"]}}""", Pod);

        Equal("""{"finalizers":["b","c"]}""", result["metadata"]);
    }

    [Fact]
    public void Set_element_order_that_contradicts_the_patch_list_is_a_bad_request()
    {
        const string pod = """{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}""";

        var error = Assert.Throws<PatchException>(() => Apply(pod,
            """{"spec":{"$setElementOrder/containers":[{"name":"a"},{"name":"b"}],"containers":[{"name":"b"},{"name":"a"}]}}""", Pod));

        Assert.StartsWith("The order in patch list:", error.Message);
    }

    [Fact]
    public void Null_removes_a_label_and_keeps_the_rest()
    {
        var result = Apply("""{"metadata":{"labels":{"app":"web","tier":"front"}}}""", """{"metadata":{"labels":{"tier":null,"new":"x"}}}""", Pod);

        Equal("""{"app":"web","new":"x"}""", result["metadata"]!["labels"]);
    }

    [Fact]
    public void Replace_directive_on_a_map_replaces_it()
    {
        var result = Apply("""{"metadata":{"labels":{"app":"web","tier":"front"}}}""", """{"metadata":{"labels":{"$patch":"replace","only":"x"}}}""", Pod);

        Equal("""{"only":"x"}""", result["metadata"]!["labels"]);
    }

    [Fact]
    public void Delete_directive_on_a_map_empties_it_as_upstream()
    {
        var result = Apply("""{"metadata":{"name":"p","labels":{"app":"web"}}}""", """{"metadata":{"labels":{"$patch":"delete"}}}""", Pod);

        Equal("""{"name":"p","labels":{}}""", result["metadata"]);
    }

    [Fact]
    public void Replace_strategy_on_a_map_field_replaces_instead_of_merging()
    {
        // PodDisruptionBudgetSpec.selector has x-kubernetes-patch-strategy: replace.
        var result = Apply("""{"spec":{"selector":{"matchLabels":{"app":"web"}},"minAvailable":1}}""",
            """{"spec":{"selector":{"matchExpressions":[{"key":"k","operator":"Exists"}]}}}""", "io.k8s.api.policy.v1.PodDisruptionBudget");

        Equal("""{"matchExpressions":[{"key":"k","operator":"Exists"}]}""", result["spec"]!["selector"]);
    }

    [Fact]
    public void Directives_on_fields_the_original_lacks_leave_nothing_behind()
    {
        const string bare = """{"kind":"Deployment","spec":{"template":{"spec":{}}}}""";

        var result = Apply(bare, """
            {"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"},
                     "template":{"metadata":{"labels":{"$patch":"delete"}},
                                 "spec":{"$setElementOrder/containers":[{"name":"a"}],
                                         "containers":[{"name":"a","image":"x","env":[{"$patch":"delete","name":"GONE"}]}]}}}}
            """, Deployment);

        NoDirectives(result);
        Equal("""{"type":"Recreate"}""", result["spec"]!["strategy"]);
        Equal("""[{"name":"a","image":"x","env":[]}]""", result["spec"]!["template"]!["spec"]!["containers"]);
        // As upstream: a map carrying $patch where nothing exists is dropped, its parent kept.
        Equal("{}", result["spec"]!["template"]!["metadata"]);
    }

    [Fact]
    public void Unknown_patch_type_is_a_bad_request_with_upstreams_message()
    {
        var error = Assert.Throws<PatchException>(() =>
            Apply("""{"metadata":{"labels":{"a":"b"}}}""", """{"metadata":{"labels":{"$patch":"frobnicate","a":"c"}}}""", Pod));

        Assert.Equal("unknown patch type: frobnicate in map: map[$patch:frobnicate a:c]", error.Message);
        Assert.False(error.IsInvalid);
    }

    [Fact]
    public void Unknown_patch_type_in_a_list_element_is_a_bad_request()
    {
        var error = Assert.Throws<PatchException>(() =>
            Apply("""{"spec":{"containers":[{"name":"a"}]}}""", """{"spec":{"containers":[{"$patch":"nope","name":"a"}]}}""", Pod));

        Assert.Equal("unknown patch type: nope in map: map[$patch:nope name:a]", error.Message);
    }

    [Fact]
    public void Malformed_parallel_list_keys_are_bad_requests()
    {
        var order = Assert.Throws<PatchException>(() => Apply("""{"spec":{}}""", """{"spec":{"$setElementOrder":[]}}""", Pod));
        Assert.Equal("invalid patch format of setElementOrder list", order.Message);

        var delete = Assert.Throws<PatchException>(() => Apply("""{"spec":{}}""", """{"spec":{"$deleteFromPrimitiveListX":[]}}""", Pod));
        Assert.Equal("invalid patch format of primitive list", delete.Message);
    }

    [Fact]
    public void Delete_directive_without_the_merge_key_is_a_bad_request()
    {
        var error = Assert.Throws<PatchException>(() =>
            Apply("""{"spec":{"containers":[{"name":"a"}]}}""", """{"spec":{"containers":[{"$patch":"delete","image":"x"}]}}""", Pod));

        Assert.Equal("map: map[$patch:delete image:x] does not contain declared merge key: name", error.Message);
    }

    [Fact]
    public void Lists_of_lists_in_a_merge_list_are_unprocessable()
    {
        var error = Assert.Throws<PatchException>(() =>
            Apply("""{"metadata":{"finalizers":[]}}""", """{"metadata":{"finalizers":[["b"]]}}""", Pod));

        Assert.True(error.IsInvalid);
        Assert.Equal("lists of lists are not supported", error.Message);
    }

    [Fact]
    public void Mixed_element_types_in_a_merge_list_are_a_bad_request()
    {
        var error = Assert.Throws<PatchException>(() =>
            Apply("""{"metadata":{"finalizers":["a"]}}""", """{"metadata":{"finalizers":[1]}}""", Pod));

        Assert.False(error.IsInvalid);
        Assert.Equal("list element types are not identical: [[a] [1]]", error.Message);
    }

    [Fact]
    public void Set_element_order_on_a_list_the_original_lacks_orders_the_patch_list()
    {
        var result = Apply("""{"spec":{}}""",
            """{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}],"containers":[{"name":"b"},{"$patch":"delete","name":"c"},{"name":"a"}]}}""", Pod);

        Equal("""[{"name":"b"},{"name":"a"}]""", result["spec"]!["containers"]);
    }

    [Fact]
    public void Set_element_order_alone_reorders_a_primitive_list()
    {
        var result = Apply("""{"metadata":{"finalizers":["a","b","c"]}}""", """{"metadata":{"$setElementOrder/finalizers":["c","b","a"]}}""", Pod);

        Equal("""["c","b","a"]""", result["metadata"]!["finalizers"]);
    }

    [Fact]
    public void Retain_keys_that_is_not_a_list_is_a_bad_request()
    {
        var error = Assert.Throws<PatchException>(() => Apply(RollingDeployment, """{"spec":{"strategy":{"$retainKeys":"type"}}}""", Deployment));

        Assert.Equal("invalid patch format of retainKeys", error.Message);
    }

    [Fact]
    public void Merge_directive_in_a_list_is_a_bad_request()
    {
        var error = Assert.Throws<PatchException>(() =>
            Apply("""{"spec":{"containers":[{"name":"a"}]}}""", """{"spec":{"containers":[{"$patch":"merge","name":"a"}]}}""", Pod));

        Assert.Equal("merging lists cannot yet be specified in the patch", error.Message);
    }

    [Fact]
    public void Missing_merge_key_in_a_patch_element_names_the_element_as_go_prints_it()
    {
        var error = Assert.Throws<PatchException>(() =>
            Apply("""{"spec":{"ports":[{"port":80}]}}""", """{"spec":{"ports":[{"targetPort":8080,"nodePort":3000000}]}}""", Service));

        Assert.Equal("map: map[nodePort:3e+06 targetPort:8080] does not contain declared merge key: port", error.Message);
    }

    [Fact]
    public void Owner_references_merge_on_uid()
    {
        var result = Apply("""{"metadata":{"ownerReferences":[{"uid":"1","kind":"ReplicaSet","name":"rs"}]}}""",
            """{"metadata":{"ownerReferences":[{"uid":"1","controller":true}]}}""", Pod);

        Equal("""[{"uid":"1","kind":"ReplicaSet","name":"rs","controller":true}]""", result["metadata"]!["ownerReferences"]);
    }

    [Fact]
    public void Dollar_keys_that_are_not_directives_are_ordinary_fields()
    {
        var result = Apply("""{"spec":{"schema":{"$ref":"#/a"}}}""", """{"spec":{"schema":{"$schema":"x"}}}""", definition: null);

        Equal("""{"spec":{"schema":{"$ref":"#/a","$schema":"x"}}}""", result);
    }

    [Fact]
    public void Patch_that_is_not_an_object_is_a_bad_request()
    {
        var error = Assert.Throws<PatchException>(() => StrategicMergePatch.Apply(Parse("{}"), JsonNode.Parse("[1]"), null));

        Assert.Equal("json: cannot unmarshal array into Go value of type map[string]interface {}", error.Message);
    }
}
