using static Skiff.Api.Tests.Patch.StrategicPatchAssert;

namespace Skiff.Api.Tests.Patch;

public class StrategicMergePatchListTests
{
    private const string TwoContainerPod = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app":"web","tier":"front"}},
         "spec":{"containers":[
           {"name":"web","image":"nginx:1.25","env":[{"name":"A","value":"1"}]},
           {"name":"log","image":"busybox:1.36","args":["tail","-f"]}]}}
        """;

    [Fact]
    public void Containers_merge_by_name_changing_one_image_and_keeping_the_other()
    {
        var result = Apply(TwoContainerPod, """{"spec":{"containers":[{"name":"log","image":"busybox:1.37"}]}}""", Pod);

        Equal("""
            [{"name":"web","image":"nginx:1.25","env":[{"name":"A","value":"1"}]},
             {"name":"log","image":"busybox:1.37","args":["tail","-f"]}]
            """, result["spec"]!["containers"]);
    }

    [Fact]
    public void Env_var_is_added_to_the_container_it_names()
    {
        var result = Apply(TwoContainerPod, """{"spec":{"containers":[{"name":"web","env":[{"name":"B","value":"2"}]}]}}""", Pod);

        // Upstream's order: the elements the patch names come first unless the live list placed a server-only
        // element ahead of one of them (a new element has no live position, so it leads).
        Equal("""[{"name":"B","value":"2"},{"name":"A","value":"1"}]""", result["spec"]!["containers"]![0]!["env"]);
        Equal("\"busybox:1.36\"", result["spec"]!["containers"]![1]!["image"]);
    }

    [Fact]
    public void Existing_env_var_is_merged_not_duplicated()
    {
        var result = Apply(TwoContainerPod, """{"spec":{"containers":[{"name":"web","env":[{"name":"A","value":"9"}]}]}}""", Pod);

        Equal("""[{"name":"A","value":"9"}]""", result["spec"]!["containers"]![0]!["env"]);
    }

    [Fact]
    public void New_container_is_added_first_without_nulls()
    {
        // As upstream (see the kubectl patch task page: the added redis container is listed before nginx).
        var result = Apply(TwoContainerPod, """{"spec":{"containers":[{"name":"sidecar","image":"envoy","command":null}]}}""", Pod);

        Equal("""{"name":"sidecar","image":"envoy"}""", result["spec"]!["containers"]![0]);
        Assert.Equal(["sidecar", "web", "log"], result["spec"]!["containers"]!.AsArray().Select(c => (string)c!["name"]!));
    }

    [Fact]
    public void Delete_directive_removes_the_container_with_that_name()
    {
        var result = Apply(TwoContainerPod, """{"spec":{"containers":[{"$patch":"delete","name":"log"}]}}""", Pod);

        Equal("""[{"name":"web","image":"nginx:1.25","env":[{"name":"A","value":"1"}]}]""", result["spec"]!["containers"]);
    }

    [Fact]
    public void Replace_directive_in_a_list_replaces_the_whole_list()
    {
        var result = Apply(TwoContainerPod, """{"spec":{"containers":[{"$patch":"replace"},{"name":"only","image":"x","args":null}]}}""", Pod);

        Equal("""[{"name":"only","image":"x"}]""", result["spec"]!["containers"]);
    }

    [Fact]
    public void List_without_merge_strategy_is_replaced()
    {
        var result = Apply(TwoContainerPod, """{"spec":{"containers":[{"name":"log","args":["sleep","1"]}]}}""", Pod);

        Equal("""["sleep","1"]""", result["spec"]!["containers"]![1]!["args"]);
    }

    [Fact]
    public void Service_port_with_a_new_port_number_is_added_and_an_existing_one_updated()
    {
        const string service = """
            {"kind":"Service","spec":{"selector":{"app":"web"},"ports":[
              {"name":"http","port":80,"protocol":"TCP","targetPort":8080}]}}
            """;

        var added = Apply(service, """{"spec":{"ports":[{"name":"https","port":443,"targetPort":8443}]}}""", Service);
        Equal("""
            [{"name":"https","port":443,"targetPort":8443},
             {"name":"http","port":80,"protocol":"TCP","targetPort":8080}]
            """, added["spec"]!["ports"]);

        var updated = Apply(service, """{"spec":{"ports":[{"port":80,"targetPort":"web"}]}}""", Service);
        Equal("""[{"name":"http","port":80,"protocol":"TCP","targetPort":"web"}]""", updated["spec"]!["ports"]);
    }

    [Fact]
    public void Finalizers_are_a_union_in_order_without_duplicates()
    {
        var result = Apply("""{"metadata":{"finalizers":["a","b"]}}""", """{"metadata":{"finalizers":["b","c","c"]}}""", Pod);

        Equal("""["a","b","c"]""", result["metadata"]!["finalizers"]);
    }

    [Fact]
    public void Delete_from_primitive_list_removes_the_named_values()
    {
        var result = Apply("""{"metadata":{"finalizers":["a","b","c"]}}""",
            """{"metadata":{"$deleteFromPrimitiveList/finalizers":["a","c","z"]}}""", Pod);

        Equal("""{"finalizers":["b"]}""", result["metadata"]);
    }

    [Fact]
    public void List_map_without_patch_strategy_is_replaced_as_upstream()
    {
        // CertificateSigningRequestStatus.conditions is x-kubernetes-list-type map keyed on type, with no
        // patch strategy: strategic merge replaces it.
        var result = Apply("""{"status":{"conditions":[{"type":"Approved","status":"True"}]}}""",
            """{"status":{"conditions":[{"type":"Failed","status":"True"}]}}""", "io.k8s.api.certificates.v1.CertificateSigningRequest");

        Equal("""[{"type":"Failed","status":"True"}]""", result["status"]!["conditions"]);
    }

    [Fact]
    public void Empty_patch_list_leaves_a_merge_list_unchanged()
    {
        var result = Apply(TwoContainerPod, """{"spec":{"containers":[]}}""", Pod);

        Assert.Equal(2, result["spec"]!["containers"]!.AsArray().Count);
    }

    [Fact]
    public void Server_only_elements_keep_their_place_around_patched_ones()
    {
        const string pod = """{"spec":{"containers":[{"name":"a"},{"name":"b"},{"name":"c"}]}}""";

        var result = Apply(pod, """{"spec":{"containers":[{"name":"d"},{"name":"b","image":"x"}]}}""", Pod);

        // Patch elements keep the patch's order (d before b); server-only a, which preceded b in the live list,
        // stays ahead of b, and c stays after it. d has no live position, so it leads.
        Equal("""[{"name":"d"},{"name":"a"},{"name":"b","image":"x"},{"name":"c"}]""", result["spec"]!["containers"]);
    }

    [Fact]
    public void Volume_source_switch_uses_retain_keys_inside_the_element()
    {
        const string pod = """{"spec":{"volumes":[{"name":"data","emptyDir":{}},{"name":"cfg","secret":{"secretName":"s"}}]}}""";

        var result = Apply(pod, """{"spec":{"volumes":[{"$retainKeys":["configMap","name"],"name":"data","configMap":{"name":"cm"}}]}}""", Pod);

        Equal("""[{"name":"data","configMap":{"name":"cm"}},{"name":"cfg","secret":{"secretName":"s"}}]""", result["spec"]!["volumes"]);
    }
}
