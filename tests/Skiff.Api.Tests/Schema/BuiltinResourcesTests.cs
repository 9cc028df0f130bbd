using Skiff.Api.Meta;

namespace Skiff.Api.Tests.Schema;

public sealed class BuiltinResourcesTests
{
    private static ApiResourceInfo Find(string group, string version, string name) =>
        Assert.Single(BuiltinResources.All, r => r.Group == group && r.Version == version && r.Name == name);

    [Fact]
    public void Deployments_are_namespaced_with_all_eight_verbs()
    {
        var d = Find("apps", "v1", "deployments");
        Assert.True(d.Namespaced);
        Assert.Equal(["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"], d.Verbs);
        Assert.Equal(("Deployment", "apps", "v1"), (d.Kind, d.KindGroup, d.KindVersion));
        Assert.Equal("io.k8s.api.apps.v1.Deployment", d.Definition);
    }

    [Fact]
    public void Deployment_scale_is_an_autoscaling_v1_Scale()
    {
        var s = Find("apps", "v1", "deployments/scale");
        Assert.Equal(("Scale", "autoscaling", "v1"), (s.Kind, s.KindGroup, s.KindVersion));
        Assert.Equal(["get", "patch", "update"], s.Verbs);
        Assert.Equal("io.k8s.api.autoscaling.v1.Scale", s.Definition);
    }

    [Fact]
    public void Nodes_are_cluster_scoped_and_namespaces_are_too()
    {
        Assert.False(Find("", "v1", "nodes").Namespaced);
        Assert.False(Find("", "v1", "namespaces").Namespaced);
        Assert.False(Find("", "v1", "namespaces/finalize").Namespaced);
        Assert.True(Find("", "v1", "pods").Namespaced);
    }

    [Theory]
    [InlineData("pods/exec", "PodExecOptions", new[] { "create", "get" })]
    [InlineData("pods/attach", "PodAttachOptions", new[] { "create", "get" })]
    [InlineData("pods/portforward", "PodPortForwardOptions", new[] { "create", "get" })]
    [InlineData("pods/log", "Pod", new[] { "get" })]
    [InlineData("pods/proxy", "PodProxyOptions", new[] { "create", "delete", "get", "patch", "update" })]
    public void Streaming_subresources_have_upstream_discovery_verbs_and_no_definition(string name, string kind, string[] verbs)
    {
        var r = Find("", "v1", name);
        Assert.Equal(kind, r.Kind);
        Assert.Equal(verbs, r.Verbs);
        Assert.Null(r.Definition);
    }

    [Fact]
    public void Pod_eviction_is_policy_v1_and_binding_is_create_only()
    {
        var e = Find("", "v1", "pods/eviction");
        Assert.Equal(("Eviction", "policy", "v1"), (e.Kind, e.KindGroup, e.KindVersion));
        Assert.Equal(["create"], Find("", "v1", "pods/binding").Verbs);
    }

    [Fact]
    public void Every_entry_is_unique_and_no_discovery_path_became_a_resource()
    {
        var keys = BuiltinResources.All.Select(r => (r.Group, r.Version, r.Name)).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.DoesNotContain(BuiltinResources.All, r => r.Resource.StartsWith('{') || r.Resource == "watch" || r.Subresource == "{path}");
        Assert.All(BuiltinResources.All, r => Assert.Equal(r.Verbs.Order(StringComparer.Ordinal), r.Verbs));
        Assert.Contains(BuiltinResources.All, r => r.Version.Contains("alpha"));
    }
}
