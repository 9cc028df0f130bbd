using System.Text.Json;
using Skiff.Api.Meta;
using Skiff.ApiServer.OpenApi;

namespace Skiff.ApiServer.Tests.OpenApi;

public sealed class V2DocumentTests
{
    private static readonly UpstreamSwagger Upstream = UpstreamSwagger.Instance;

    /// <summary>Paths upstream serves that are not resources Skiff plans (log files, OIDC discovery).</summary>
    private static bool IsOutOfScope(string path) =>
        path.StartsWith("/logs", StringComparison.Ordinal) || path.StartsWith("/openid", StringComparison.Ordinal)
        || path.StartsWith("/.well-known", StringComparison.Ordinal);

    private static JsonDocument BuildV2(IEnumerable<ApiResourceInfo> served)
    {
        var service = new OpenApiService(Upstream.DefinitionsJson);
        service.Update(served);
        return JsonDocument.Parse(service.GetV2(protobuf: false).Body);
    }

    [Fact]
    public void Every_upstream_resource_path_is_generated_with_the_same_operations_parameters_and_responses()
    {
        // The generated catalog once ModelGen has written it; until then the same derivation done here.
        var served = BuiltinResources.All.Count > 0 ? BuiltinResources.All : Upstream.Resources;
        using var doc = BuildV2(served);
        var ours = doc.RootElement.GetProperty("paths");

        var expectedPaths = Upstream.Paths.EnumerateObject().Select(p => p.Name).Where(p => !IsOutOfScope(p)).ToHashSet();
        var actualPaths = ours.EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Empty(expectedPaths.Except(actualPaths).Order());
        Assert.Empty(actualPaths.Except(expectedPaths).Order());

        var differences = new List<string>();
        foreach (var path in expectedPaths.Order(StringComparer.Ordinal))
        {
            var expected = PathFacts.Of(path, Upstream.Paths.GetProperty(path), Upstream.Resolve);
            var actual = PathFacts.Of(path, ours.GetProperty(path), p => p);
            differences.AddRange(expected.Except(actual).Select(f => "missing: " + f));
            differences.AddRange(actual.Except(expected).Select(f => "extra:   " + f));
        }
        Assert.True(differences.Count == 0, string.Join("\n", differences.Take(40)) + $"\n({differences.Count} differences)");
    }

    [Fact]
    public void A_handful_of_resources_get_upstream_operation_ids_and_paths()
    {
        using var doc = BuildV2(HandMadeResources.PodsNamespacesDeployments);
        var paths = doc.RootElement.GetProperty("paths");
        string Id(string path, string method) => paths.GetProperty(path).GetProperty(method).GetProperty("operationId").GetString()!;

        Assert.Equal("listCoreV1NamespacedPod", Id("/api/v1/namespaces/{namespace}/pods", "get"));
        Assert.Equal("createCoreV1NamespacedPod", Id("/api/v1/namespaces/{namespace}/pods", "post"));
        Assert.Equal("deleteCoreV1CollectionNamespacedPod", Id("/api/v1/namespaces/{namespace}/pods", "delete"));
        Assert.Equal("listCoreV1PodForAllNamespaces", Id("/api/v1/pods", "get"));
        Assert.Equal("watchCoreV1PodListForAllNamespaces", Id("/api/v1/watch/pods", "get"));
        Assert.Equal("watchCoreV1NamespacedPod", Id("/api/v1/watch/namespaces/{namespace}/pods/{name}", "get"));
        Assert.Equal("readCoreV1NamespacedPodLog", Id("/api/v1/namespaces/{namespace}/pods/{name}/log", "get"));
        Assert.Equal("connectCoreV1PostNamespacedPodExec", Id("/api/v1/namespaces/{namespace}/pods/{name}/exec", "post"));
        Assert.Equal("replaceCoreV1NamespaceStatus", Id("/api/v1/namespaces/{name}/status", "put"));
        Assert.Equal("readAppsV1NamespacedDeployment", Id("/apis/apps/v1/namespaces/{namespace}/deployments/{name}", "get"));
        Assert.Equal("patchAppsV1NamespacedDeploymentScale", Id("/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale", "patch"));

        // Every generated path matches upstream's facts for the same path.
        var differences = new List<string>();
        foreach (var path in paths.EnumerateObject())
        {
            Assert.True(Upstream.Paths.TryGetProperty(path.Name, out var expectedItem), "upstream has no path " + path.Name);
            var expected = PathFacts.Of(path.Name, expectedItem, Upstream.Resolve);
            var actual = PathFacts.Of(path.Name, path.Value, p => p);
            // Only the discovery path of the whole core group lists every resource; compare operations we emit.
            differences.AddRange(actual.Except(expected));
            differences.AddRange(expected.Except(actual));
        }
        Assert.Empty(differences);
    }

    [Fact]
    public void Resources_listed_once_per_path_are_merged_into_one_set_of_operations()
    {
        // A catalog may list a resource once per path it appears on, each with part of the verbs.
        var split = new ApiResourceInfo[]
        {
            new("apps", "v1", "deployments", null, "Deployment", "apps", "v1", true, ["create", "list"], "io.k8s.api.apps.v1.Deployment"),
            new("apps", "v1", "deployments", null, "Deployment", "apps", "v1", true, ["delete", "get", "patch", "update"], "io.k8s.api.apps.v1.Deployment"),
            new("", "v1", "nodes", null, "Node", "", "v1", false, ["get"], "io.k8s.api.core.v1.Node"),
            new("", "v1", "nodes", "proxy", "NodeProxyOptions", "", "v1", false, ["get"], null),
            new("", "v1", "nodes", "proxy/{path}", "NodeProxyOptions", "", "v1", false, ["get"], null),
        };
        using var doc = BuildV2(split);
        var paths = doc.RootElement.GetProperty("paths");
        var collection = paths.GetProperty("/apis/apps/v1/namespaces/{namespace}/deployments");
        Assert.True(collection.TryGetProperty("get", out _));
        Assert.True(collection.TryGetProperty("post", out _));
        var item = paths.GetProperty("/apis/apps/v1/namespaces/{namespace}/deployments/{name}");
        Assert.Equal(["delete", "get", "parameters", "patch", "put"], item.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal("connectCoreV1GetNodeProxyWithPath", paths.GetProperty("/api/v1/nodes/{name}/proxy/{path}").GetProperty("get").GetProperty("operationId").GetString());
    }

    [Fact]
    public void Every_patch_operation_declares_fieldValidation_and_dryRun_inline()
    {
        using var doc = BuildV2(Upstream.Resources);
        var patches = 0;
        foreach (var path in doc.RootElement.GetProperty("paths").EnumerateObject())
        {
            if (!path.Value.TryGetProperty("patch", out var patch) || patch.GetProperty("x-kubernetes-action").GetString() != "patch") continue;
            patches++;
            var names = patch.GetProperty("parameters").EnumerateArray()
                .Where(p => p.GetProperty("in").GetString() == "query").Select(p => p.GetProperty("name").GetString()).ToList();
            Assert.Contains("fieldValidation", names);
            Assert.Contains("dryRun", names);
        }
        Assert.True(patches > 100, $"only {patches} patch operations");
    }

    [Fact]
    public void Document_carries_header_definitions_and_security()
    {
        using var doc = BuildV2(HandMadeResources.PodsNamespacesDeployments);
        var root = doc.RootElement;
        Assert.Equal("2.0", root.GetProperty("swagger").GetString());
        Assert.Equal("Kubernetes", root.GetProperty("info").GetProperty("title").GetString());
        Assert.Equal("v1.36.0", root.GetProperty("info").GetProperty("version").GetString());
        Assert.Equal("apiKey", root.GetProperty("securityDefinitions").GetProperty("BearerToken").GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Array, root.GetProperty("security")[0].GetProperty("BearerToken").ValueKind);
        var deployment = root.GetProperty("definitions").GetProperty("io.k8s.api.apps.v1.Deployment");
        Assert.Equal("#/definitions/io.k8s.api.apps.v1.DeploymentSpec",
            deployment.GetProperty("properties").GetProperty("spec").GetProperty("$ref").GetString());
    }

    [Fact]
    public void Responses_never_name_a_definition_that_is_missing()
    {
        // A served kind without a schema (e.g. a CRD whose schema is not loaded) must not yield a dangling $ref.
        var custom = new ApiResourceInfo("example.com", "v1", "widgets", null, "Widget", "example.com", "v1", true,
            ["create", "delete", "get", "list", "patch", "update", "watch"], "com.example.v1.Widget");
        using var doc = BuildV2([custom]);
        var definitions = doc.RootElement.GetProperty("definitions");
        foreach (var reference in JsonRefs.All(doc.RootElement.GetProperty("paths")))
            Assert.True(definitions.TryGetProperty(reference["#/definitions/".Length..], out _), reference);
        Assert.Equal("listExampleComV1NamespacedWidget",
            doc.RootElement.GetProperty("paths").GetProperty("/apis/example.com/v1/namespaces/{namespace}/widgets")
                .GetProperty("get").GetProperty("operationId").GetString());
    }
}
