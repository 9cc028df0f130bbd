using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Meta.V1;
using Skiff.Client.Rest;

namespace Skiff.Client.Tests.Integration;

[Collection(ServerCollection.Name)]
public sealed class ResourceClientTests(ServerFixture fx)
{
    [Fact]
    public async Task ConfigMapCrudRoundTripsThroughTheServer()
    {
        var ns = await fx.NewNamespaceAsync("crud");
        var cms = fx.Client.ConfigMaps;
        var created = await cms.CreateAsync(new ConfigMap
        {
            Metadata = new() { Name = "a", Namespace = ns, Labels = new() { ["app"] = "x" } },
            Data = new() { ["k"] = "1" },
        });
        Assert.False(string.IsNullOrEmpty(created.Metadata!.Uid));
        Assert.False(string.IsNullOrEmpty(created.Metadata.ResourceVersion));
        await cms.CreateAsync(new ConfigMap { Metadata = new() { Name = "b", Namespace = ns } });

        var got = await cms.GetAsync(ns, "a");
        Assert.Equal("1", got.Data!["k"]);

        var selected = await cms.ListAsync(ns, new ListOptions { LabelSelector = "app=x" });
        Assert.Equal(["a"], selected.Items.Select(c => c.Metadata!.Name));
        Assert.False(string.IsNullOrEmpty(selected.ResourceVersion));

        // Paging: one item per page, following continue tokens.
        var page = await cms.ListAsync(ns, new ListOptions { Limit = 1 });
        Assert.Single(page.Items);
        Assert.NotNull(page.Continue);
        var all = await cms.ListAllAsync(ns, new ListOptions { Limit = 1 });
        // (kube-root-ca.crt is the root CA publisher's, in every namespace.)
        Assert.Equal(["a", "b"], all.Items.Select(c => c.Metadata!.Name).Where(n => n != "kube-root-ca.crt").Order());

        got.Data["k"] = "2";
        var updated = await cms.UpdateAsync(got);
        Assert.Equal("2", updated.Data!["k"]);
        Assert.NotEqual(created.Metadata.ResourceVersion, updated.Metadata!.ResourceVersion);

        var patched = await cms.PatchAsync(ns, "a", PatchType.Merge, """{"data":{"m":"3"}}""");
        Assert.Equal("3", patched.Data!["m"]);
        var applied = await cms.PatchAsync(ns, "a", PatchType.Apply,
            $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"{{{ns}}}"},"data":{"applied":"yes"}}""",
            new WriteOptions { FieldManager = "client-test", Force = true });
        Assert.Equal("yes", applied.Data!["applied"]);
        Assert.Contains(applied.Metadata!.ManagedFields!, m => m.Manager == "client-test");

        await cms.DeleteAsync(ns, "a", new DeleteOptions { PropagationPolicy = "Background" });
        Assert.Null(await cms.TryGetAsync(ns, "a"));
        await cms.DeleteCollectionAsync(ns);
        // (The root CA publisher puts kube-root-ca.crt straight back; only the test's own objects must be gone.)
        Assert.Empty((await cms.ListAsync(ns)).Items.Where(c => c.Metadata!.Name != "kube-root-ca.crt"));
    }

    [Fact]
    public async Task ErrorsCarryTheServersStatus()
    {
        var ns = await fx.NewNamespaceAsync("errors");
        var cms = fx.Client.ConfigMaps;

        var notFound = await Assert.ThrowsAsync<ApiException>(() => cms.GetAsync(ns, "missing"));
        Assert.Equal(404, notFound.Code);
        Assert.Equal("NotFound", notFound.Reason);
        Assert.True(notFound.IsNotFound);

        var first = await cms.CreateAsync(new ConfigMap { Metadata = new() { Name = "dup", Namespace = ns } });
        var exists = await Assert.ThrowsAsync<ApiException>(() => cms.CreateAsync(new ConfigMap { Metadata = new() { Name = "dup", Namespace = ns } }));
        Assert.Equal(409, exists.Code);
        Assert.Equal("AlreadyExists", exists.Reason);

        // An update at a stale resourceVersion is a 409 Conflict.
        await cms.PatchAsync(ns, "dup", PatchType.Merge, """{"data":{"x":"1"}}""");
        first.Data = new() { ["y"] = "2" };
        var conflict = await Assert.ThrowsAsync<ApiException>(() => cms.UpdateAsync(first));
        Assert.Equal(409, conflict.Code);
        Assert.Equal("Conflict", conflict.Reason);

        var precondition = await Assert.ThrowsAsync<ApiException>(() => cms.DeleteAsync(ns, "dup",
            new DeleteOptions { Preconditions = new() { Uid = "not-the-uid" } }));
        Assert.Equal(409, precondition.Code);
    }

    [Fact]
    public async Task DynamicClientReadsAnyResourceAsJson()
    {
        var ns = await fx.NewNamespaceAsync("dyn");
        var cms = fx.Client.Dynamic(ResourceDescriptor.ForResource("", "v1", "configmaps"));
        var created = await cms.CreateAsync(new System.Text.Json.Nodes.JsonObject
        {
            ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "d", ["namespace"] = ns },
            ["data"] = new System.Text.Json.Nodes.JsonObject { ["k"] = "v" },
        });
        Assert.Equal("ConfigMap", created["kind"]!.GetValue<string>());
        var typed = await fx.Client.ConfigMaps.GetAsync(ns, "d");
        Assert.Equal("v", typed.Data!["k"]);
        Assert.Equal(typed.Metadata!.Uid, cms.Codec.Uid(created));
    }
}
