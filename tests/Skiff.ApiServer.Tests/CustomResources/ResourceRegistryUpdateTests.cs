using System.Text.Json.Nodes;
using Skiff.Api.Meta;
using Skiff.ApiServer.CustomResources;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Tests.CustomResources;

/// <summary>The registry's run-time updates: CRDs come and go, built-ins are never shadowed.</summary>
public sealed class ResourceRegistryUpdateTests
{
    private static CrdModel Model(string group, string versions = "v1")
    {
        var list = new JsonArray();
        foreach (var (v, i) in versions.Split(',').Select((v, i) => (v, i)))
            list.Add(new JsonObject { ["name"] = v, ["served"] = true, ["storage"] = i == 0, ["subresources"] = new JsonObject { ["status"] = new JsonObject() } });
        var names = JsonNode.Parse("""{"plural":"widgets","singular":"widget","kind":"Widget","listKind":"WidgetList","shortNames":["wd"]}""");
        var crd = new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "widgets." + group },
            ["spec"] = new JsonObject { ["group"] = group, ["scope"] = "Namespaced", ["names"] = names },
        };
        crd["spec"]!["versions"] = list;
        return CrdModel.Parse(crd);
    }

    [Fact]
    public void CustomResourcesAppearAndDisappearWithTheirGroupVersions()
    {
        var registry = new ResourceRegistry(BuiltinResources.All, DefaultApiVersions.IsEnabledByDefault);
        var before = registry.Version;
        var changes = 0;
        registry.Changed += () => changes++;
        var model = Model("example.com", "v1,v2beta1");
        registry.SetCustom(model.Name, CustomResourceType.Serve(model, model.Names));

        Assert.True(registry.Version > before);
        var served = registry.Find("example.com", "v1", "widgets");
        Assert.NotNull(served);
        Assert.True(served.HasStatus);
        Assert.Equal("/registry/example.com/widgets/", served.KeyPrefix);
        Assert.Equal("v1", registry.PreferredVersion("example.com"));
        Assert.Equal(["v1", "v2beta1"], registry.GroupVersions.Where(g => g.Group == "example.com").Select(g => g.Version));

        registry.RemoveCustom(model.Name);
        Assert.Null(registry.Find("example.com", "v1", "widgets"));
        Assert.DoesNotContain(registry.GroupVersions, g => g.Group == "example.com");
        Assert.Equal(2, changes);
    }

    [Fact]
    public void ACrdCannotShadowABuiltInResource()
    {
        var registry = new ResourceRegistry(BuiltinResources.All, DefaultApiVersions.IsEnabledByDefault);
        var deployments = registry.Find("apps", "v1", "deployments");
        var model = CrdModel.Parse(JsonNode.Parse("""
            {"metadata":{"name":"deployments.apps"},"spec":{"group":"apps","scope":"Namespaced",
             "names":{"plural":"deployments","singular":"deployment","kind":"Deployment","listKind":"DeploymentList"},
             "versions":[{"name":"v1","served":true,"storage":true}]}}
            """)!.AsObject());
        registry.SetCustom(model.Name, CustomResourceType.Serve(model, model.Names));
        Assert.Same(deployments, registry.Find("apps", "v1", "deployments"));
        Assert.Empty(registry.CustomOf(model.Name));
    }
}
