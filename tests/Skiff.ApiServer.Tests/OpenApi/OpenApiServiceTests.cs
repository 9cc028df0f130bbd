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
        using var a = new OpenApiService(Definitions);
        using var b = new OpenApiService(Definitions);
        a.Update(HandMadeResources.PodsNamespacesDeployments);
        b.Update(HandMadeResources.PodsNamespacesDeployments.Reverse());
        Assert.Equal(a.GetV2(false).Hash, b.GetV2(false).Hash);
        Assert.Equal(a.GetV2(true).Hash, b.GetV2(true).Hash);
        Assert.Equal(a.GetV3Index().Hash, b.GetV3Index().Hash);
    }

    [Fact]
    public void Update_rebuilds_only_the_group_versions_that_changed()
    {
        using var service = new OpenApiService(Definitions);
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
        using var service = new OpenApiService(Definitions);
        service.Update(HandMadeResources.PodsNamespacesDeployments);
        Assert.True(service.TryGetV3("apis/apps/v1", out var before));
        service.Update(HandMadeResources.PodsNamespacesDeployments.Select(r =>
            r.Resource == "deployments" && r.Subresource is null ? r with { Verbs = ["get", "list"] } : r));
        Assert.True(service.TryGetV3("apis/apps/v1", out var after));
        Assert.NotEqual(before.Hash, after.Hash);
    }

    [Fact]
    public void ETag_matching_follows_If_None_Match_rules()
    {
        using var service = new OpenApiService(Definitions);
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
        using var service = new OpenApiService(Definitions);
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
