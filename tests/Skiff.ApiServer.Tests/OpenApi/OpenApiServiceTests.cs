using System.Text.Json;
using Skiff.Api.Meta;
using Skiff.ApiServer.OpenApi;

namespace Skiff.ApiServer.Tests.OpenApi;

public sealed class OpenApiServiceTests
{
    private static readonly byte[] Definitions = UpstreamSwagger.Instance.DefinitionsJson;

    private static readonly ApiResourceInfo Widgets = new("example.com", "v1", "widgets", null, "Widget", "example.com", "v1", true,
        ["create", "delete", "get", "list", "patch", "update", "watch"], null);

    [Fact]
    public void Same_served_set_gives_the_same_hashes_in_another_service()
    {
        var a = new OpenApiService(Definitions);
        var b = new OpenApiService(Definitions);
        a.Update(HandMadeResources.PodsNamespacesDeployments);
        b.Update(HandMadeResources.PodsNamespacesDeployments.Reverse());
        Assert.Equal(a.GetV2(false).Hash, b.GetV2(false).Hash);
        Assert.Equal(a.GetV2(true).Hash, b.GetV2(true).Hash);
        Assert.Equal(a.GetV3Index().Hash, b.GetV3Index().Hash);
    }

    [Fact]
    public void Update_rebuilds_only_the_group_versions_that_changed()
    {
        var service = new OpenApiService(Definitions);
        service.Update(HandMadeResources.PodsNamespacesDeployments);
        Assert.True(service.TryGetV3("api/v1", out var coreBefore));
        Assert.True(service.TryGetV3("apis/apps/v1", out var appsBefore));
        var v2Before = service.GetV2(false);
        Assert.False(service.TryGetV3("apis/example.com/v1", out _));

        service.Update(HandMadeResources.PodsNamespacesDeployments.Append(Widgets));

        Assert.True(service.TryGetV3("api/v1", out var coreAfter));
        Assert.True(service.TryGetV3("apis/apps/v1", out var appsAfter));
        Assert.Same(coreBefore, coreAfter);
        Assert.Same(appsBefore, appsAfter);
        Assert.True(service.TryGetV3("apis/example.com/v1", out var widgets));
        using (var doc = JsonDocument.Parse(widgets.Body))
            Assert.True(doc.RootElement.GetProperty("paths").TryGetProperty("/apis/example.com/v1/namespaces/{namespace}/widgets", out _));
        Assert.NotEqual(v2Before.Hash, service.GetV2(false).Hash);
        using (var index = JsonDocument.Parse(service.GetV3Index().Body))
        {
            Assert.True(index.RootElement.GetProperty("paths").TryGetProperty("apis/example.com", out _));
            Assert.True(index.RootElement.GetProperty("paths").TryGetProperty("apis/example.com/v1", out _));
        }

        // Removing the group removes its documents again.
        service.Update(HandMadeResources.PodsNamespacesDeployments);
        Assert.False(service.TryGetV3("apis/example.com/v1", out _));
        Assert.False(service.TryGetV3("apis/example.com", out _));
        Assert.Equal(v2Before.Hash, service.GetV2(false).Hash);
    }

    [Fact]
    public void Changing_a_resources_verbs_changes_its_document_hash()
    {
        var service = new OpenApiService(Definitions);
        service.Update(HandMadeResources.PodsNamespacesDeployments);
        Assert.True(service.TryGetV3("apis/apps/v1", out var before));
        service.Update(HandMadeResources.PodsNamespacesDeployments.Select(r =>
            r.Resource == "deployments" && r.Subresource is null ? r with { Verbs = ["get", "list"] } : r));
        Assert.True(service.TryGetV3("apis/apps/v1", out var after));
        Assert.NotEqual(before.Hash, after.Hash);
    }

    [Fact]
    public void Extra_definitions_give_a_custom_resource_its_schema_and_only_its_document_changes()
    {
        var service = new OpenApiService(Definitions);
        var widgets = Widgets with { Definition = "com.example.v1.Widget" };
        var served = HandMadeResources.PodsNamespacesDeployments.Append(widgets).ToList();
        Dictionary<string, ReadOnlyMemory<byte>> Schemas(string specType) => new()
        {
            ["com.example.v1.Widget"] = System.Text.Encoding.UTF8.GetBytes(
                "{\"type\":\"object\",\"properties\":{\"metadata\":{\"$ref\":\"#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta\"}," +
                "\"spec\":{\"type\":\"" + specType + "\"}},\"x-kubernetes-group-version-kind\":[{\"group\":\"example.com\",\"kind\":\"Widget\",\"version\":\"v1\"}]}"),
            ["com.example.v1.WidgetList"] = System.Text.Encoding.UTF8.GetBytes(
                "{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/definitions/com.example.v1.Widget\"}}}}"),
        };

        service.Update(served, Schemas("object"));
        Assert.True(service.TryGetV3("apis/example.com/v1", out var first));
        Assert.True(service.TryGetV3("apis/apps/v1", out var apps));
        using (var doc = JsonDocument.Parse(first.Body))
        {
            var schemas = doc.RootElement.GetProperty("components").GetProperty("schemas");
            Assert.Equal("object", schemas.GetProperty("com.example.v1.Widget").GetProperty("properties").GetProperty("spec").GetProperty("type").GetString());
            Assert.True(schemas.TryGetProperty("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", out _));
            foreach (var reference in JsonRefs.All(doc.RootElement))
                Assert.True(schemas.TryGetProperty(reference["#/components/schemas/".Length..], out _), reference);
        }
        using (var v2 = JsonDocument.Parse(service.GetV2(false).Body))
            Assert.True(v2.RootElement.GetProperty("definitions").TryGetProperty("com.example.v1.WidgetList", out _));

        service.Update(served, Schemas("string"));
        Assert.True(service.TryGetV3("apis/example.com/v1", out var second));
        Assert.True(service.TryGetV3("apis/apps/v1", out var appsAfter));
        Assert.NotEqual(first.Hash, second.Hash);
        Assert.Same(apps, appsAfter);
    }

    [Fact]
    public void Without_definitions_documents_still_build_and_hold_no_refs()
    {
        // Until ModelGen embeds the definitions, OpenApiDefinitions.Utf8Json is "{}".
        var service = new OpenApiService("{}"u8.ToArray());
        service.Update(UpstreamSwagger.Instance.Resources);
        using (var v2 = JsonDocument.Parse(service.GetV2(false).Body))
            Assert.Equal("", string.Join(",", JsonRefs.All(v2.RootElement).Distinct()));
        foreach (var key in service.V3Keys)
        {
            Assert.True(service.TryGetV3(key, out var doc));
            using var parsed = JsonDocument.Parse(doc.Body);
            Assert.Empty(JsonRefs.All(parsed.RootElement));
        }
        Assert.NotEmpty(service.GetV2(true).Body.ToArray());
    }

    [Fact]
    public void ETag_matching_follows_If_None_Match_rules()
    {
        var service = new OpenApiService(Definitions);
        service.Update(HandMadeResources.PodsNamespacesDeployments);
        var doc = service.GetV2(false);
        Assert.Equal('"' + doc.Hash + '"', doc.ETag);
        Assert.True(doc.MatchesIfNoneMatch(doc.ETag));
        Assert.True(doc.MatchesIfNoneMatch($"\"other\", W/{doc.ETag}"));
        Assert.True(doc.MatchesIfNoneMatch("*"));
        Assert.False(doc.MatchesIfNoneMatch("\"other\""));
        Assert.False(doc.MatchesIfNoneMatch(null));
    }

    [Fact]
    public async Task Readers_running_during_updates_always_get_complete_documents()
    {
        var service = new OpenApiService(Definitions);
        var small = HandMadeResources.PodsNamespacesDeployments;
        var large = small.Append(Widgets).ToList();
        service.Update(small);
        using var done = new CancellationTokenSource();

        var writer = Task.Run(() =>
        {
            for (var i = 0; i < 40; i++) service.Update(i % 2 == 0 ? large : small);
            done.Cancel();
        });
        var readers = Enumerable.Range(0, 3).Select(n => Task.Run(() =>
        {
            var reads = 0;
            while (!done.IsCancellationRequested || reads == 0)
            {
                using var index = JsonDocument.Parse(service.GetV3Index().Body);
                Assert.True(index.RootElement.GetProperty("paths").TryGetProperty("apis/apps/v1", out _));
                Assert.True(service.TryGetV3("apis/apps/v1", out var apps));
                using var parsed = JsonDocument.Parse(apps.Body);
                reads++;
            }
            return reads;
        })).ToList();

        await writer;
        var counts = await Task.WhenAll(readers);
        Assert.All(counts, c => Assert.True(c > 0));
    }
}
