using System.Text.Json.Nodes;
using Skiff.Api.Meta;
using Skiff.Api.Validation;
using Skiff.ApiServer.Errors;
using Skiff.ApiServer.Registry;
using Skiff.Storage.Sqlite;

namespace Skiff.ApiServer.Tests.Registry;

/// <summary>The generic registry pipeline over a real SQLite store in a temporary directory.</summary>
public sealed class ObjectRegistryTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "skiff-registry-" + Guid.NewGuid().ToString("N")[..8]);
    private SqliteStore _store = null!;
    private ObjectRegistry _objects = null!;
    private ResourceRegistry _resources = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _store = await SqliteStore.OpenAsync(new SqliteStoreOptions { Path = Path.Combine(_dir, "state.db") });
        _resources = new ResourceRegistry(BuiltinResources.All, DefaultApiVersions.IsEnabledByDefault);
        _objects = new ObjectRegistry(_store, _resources, (r, o) =>
            ObjectMetaValidator.Validate(o["metadata"] as JsonObject, ResourceNameRules.For(r.GroupResource), r.Namespaced));
        await Bootstrap.RunAsync(_objects, new ApiServerOptions(), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private ServedResource R(string group, string version, string resource) => _resources.Find(group, version, resource)!;

    private static JsonObject Deployment(string name, string image = "nginx")
    {
        var d = JsonNode.Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"NAME"},
             "spec":{"replicas":1,"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"IMAGE"}]}}},
             "status":{"replicas":5}}
            """)!.AsObject();
        d["metadata"]!["name"] = name;
        d["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = image;
        return d;
    }

    [Fact]
    public async Task CreateFillsServerOwnedMetadataAndResetsStatus()
    {
        var d = await _objects.CreateAsync(R("apps", "v1", "deployments"), "default", Deployment("d1"), false, default);
        var meta = d["metadata"]!.AsObject();
        Assert.Matches("^[0-9a-f-]{36}$", meta["uid"]!.GetValue<string>());
        Assert.Equal(1, meta["generation"]!.GetValue<long>());
        Assert.Equal("default", meta["namespace"]!.GetValue<string>());
        Assert.True(long.Parse(meta["resourceVersion"]!.GetValue<string>()) > 0);
        Assert.Equal("{}", d["status"]!.ToJsonString());
    }

    [Fact]
    public async Task GenerationMovesOnlyWithTheSpec()
    {
        var r = R("apps", "v1", "deployments");
        await _objects.CreateAsync(r, "default", Deployment("gen"), false, default);
        var (labelled, _) = await _objects.UpdateAsync(r, "default", "gen", UpdateScope.Main, cur =>
        {
            cur!["metadata"]!["labels"] = new JsonObject { ["x"] = "y" };
            return cur;
        }, false, default);
        Assert.Equal(1, labelled["metadata"]!["generation"]!.GetValue<long>());
        var (changed, _) = await _objects.UpdateAsync(r, "default", "gen", UpdateScope.Main, _ => Deployment("gen", "nginx:2"), false, default);
        Assert.Equal(2, changed["metadata"]!["generation"]!.GetValue<long>());
    }

    [Fact]
    public async Task StaleResourceVersionIsAConflictAndChangesNothing()
    {
        var r = R("apps", "v1", "deployments");
        var created = await _objects.CreateAsync(r, "default", Deployment("stale"), false, default);
        var oldRv = created["metadata"]!["resourceVersion"]!.GetValue<string>();
        await _objects.UpdateAsync(r, "default", "stale", UpdateScope.Main, _ => Deployment("stale", "v2"), false, default);
        var stale = Deployment("stale", "v3");
        stale["metadata"]!["resourceVersion"] = oldRv;
        var e = await Assert.ThrowsAsync<StatusException>(() => _objects.UpdateAsync(r, "default", "stale", UpdateScope.Main, _ => stale, false, default));
        Assert.Equal(409, e.Code);
        Assert.Equal("Operation cannot be fulfilled on deployments.apps \"stale\": the object has been modified; please apply your changes to the latest version and try again", e.Message);
        var now = await _objects.GetAsync(r, "default", "stale", default);
        Assert.Equal("v2", now["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
    }

    [Fact]
    public async Task StatusWritesChangeOnlyStatusAndMainWritesKeepIt()
    {
        var r = R("apps", "v1", "deployments");
        await _objects.CreateAsync(r, "default", Deployment("st"), false, default);
        var (afterStatus, _) = await _objects.UpdateAsync(r, "default", "st", UpdateScope.Status, _ => Deployment("st", "ignored"), false, default);
        Assert.Equal(5, afterStatus["status"]!["replicas"]!.GetValue<int>());
        Assert.Equal("nginx", afterStatus["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
        var main = Deployment("st", "nginx:3");
        main.Remove("status");
        var (afterMain, _) = await _objects.UpdateAsync(r, "default", "st", UpdateScope.Main, _ => main, false, default);
        Assert.Equal(5, afterMain["status"]!["replicas"]!.GetValue<int>());
    }

    [Fact]
    public async Task FinalizersHoldDeletionUntilRemoved()
    {
        var r = R("", "v1", "configmaps");
        var cm = JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"held","finalizers":["example.com/hold"]}}""")!.AsObject();
        await _objects.CreateAsync(r, "default", cm, false, default);
        var (marked, deleted) = await _objects.DeleteAsync(r, "default", "held", new DeleteOptions(), default);
        Assert.False(deleted);
        Assert.NotNull(marked["metadata"]!["deletionTimestamp"]);
        await _objects.UpdateAsync(r, "default", "held", UpdateScope.Main, cur =>
        {
            cur!["metadata"]!.AsObject().Remove("finalizers");
            return cur;
        }, false, default);
        Assert.Null(await _objects.TryGetAsync(r, "default", "held", default));
    }

    [Fact]
    public async Task ListPagesWithContinueAndCountsWhatRemains()
    {
        var r = R("", "v1", "configmaps");
        for (var i = 0; i < 7; i++)
            await _objects.CreateAsync(r, "default", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = $"p{i}" } }, false, default);
        var names = new List<string>();
        var page = await _objects.ListAsync(r, "default", new ListOptions { Limit = 3 }, default);
        Assert.Equal(4, page.RemainingItemCount);
        names.AddRange(page.Items.Select(o => o["metadata"]!["name"]!.GetValue<string>()));
        while (page.Continue is not null)
        {
            page = await _objects.ListAsync(r, "default", new ListOptions { Limit = 3, Continue = page.Continue }, default);
            names.AddRange(page.Items.Select(o => o["metadata"]!["name"]!.GetValue<string>()));
        }
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"p{i}"), names);
    }

    [Fact]
    public async Task TerminatingNamespaceRefusesNewContentAndIsRemovedOnceEmpty()
    {
        var ns = R("", "v1", "namespaces");
        var cms = R("", "v1", "configmaps");
        await _objects.CreateAsync(ns, "", JsonNode.Parse("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"doomed"}}""")!.AsObject(), false, default);
        await _objects.CreateAsync(cms, "doomed", JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}""")!.AsObject(), false, default);
        var (marked, _) = await _objects.DeleteAsync(ns, "", "doomed", new DeleteOptions(), default);
        Assert.Equal("Terminating", marked["status"]!["phase"]!.GetValue<string>());
        var e = await Assert.ThrowsAsync<StatusException>(() => _objects.CreateAsync(cms, "doomed",
            JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"late"}}""")!.AsObject(), false, default));
        Assert.Equal(403, e.Code);
        Assert.Contains("because it is being terminated", e.Message);
        Assert.True(await _objects.FinalizeNamespaceAsync("doomed", default) || await _objects.FinalizeNamespaceAsync("doomed", default));
        Assert.Null(await _objects.TryGetAsync(ns, "", "doomed", default));
        Assert.Null(await _objects.TryGetAsync(cms, "doomed", "c", default));
    }
}
