using System.Text.Json;
using Skiff.Api.Meta;
using Skiff.ApiServer.OpenApi;

namespace Skiff.ApiServer.Tests.OpenApi;

public sealed class V3DocumentTests
{
    private readonly OpenApiService _service = new(UpstreamSwagger.ProductDefinitionsJson);

    public V3DocumentTests() => _service.Update(UpstreamSwagger.Instance.Resources);

    private JsonDocument V3(string key)
    {
        Assert.True(_service.TryGetV3(key, out var doc), "no v3 document " + key);
        Assert.Equal("application/json", doc.ContentType);
        return JsonDocument.Parse(doc.Body);
    }

    [Fact]
    public void Index_lists_every_group_version_and_the_upstream_extra_keys_with_their_hashes()
    {
        using var index = JsonDocument.Parse(_service.GetV3Index().Body);
        var paths = index.RootElement.GetProperty("paths");
        var keys = paths.EnumerateObject().Select(p => p.Name).ToList();
        foreach (var expected in new[] { "api", "api/v1", "apis", "apis/apps", "apis/apps/v1", "apis/rbac.authorization.k8s.io/v1", "version" })
            Assert.Contains(expected, keys);
        Assert.Equal(keys.Order(StringComparer.Ordinal), keys);

        foreach (var entry in paths.EnumerateObject())
        {
            Assert.True(_service.TryGetV3(entry.Name, out var doc));
            Assert.Equal($"/openapi/v3/{entry.Name}?hash={doc.Hash}", entry.Value.GetProperty("serverRelativeURL").GetString());
            Assert.Matches("^[0-9A-F]{128}$", doc.Hash);
        }
    }

    [Fact]
    public void Every_ref_in_every_v3_document_resolves_inside_that_document()
    {
        foreach (var key in _service.V3Keys)
        {
            using var doc = V3(key);
            var schemas = doc.RootElement.GetProperty("components").GetProperty("schemas");
            var refs = JsonRefs.All(doc.RootElement).ToList();
            foreach (var reference in refs)
            {
                Assert.StartsWith("#/components/schemas/", reference);
                Assert.True(schemas.TryGetProperty(reference["#/components/schemas/".Length..], out _), $"{key}: {reference}");
            }
        }
    }

    [Fact]
    public void Apps_v1_holds_only_its_paths_and_deployment_with_its_gvk()
    {
        using var doc = V3("apis/apps/v1");
        var root = doc.RootElement;
        Assert.Equal("3.0.0", root.GetProperty("openapi").GetString());
        Assert.All(root.GetProperty("paths").EnumerateObject(), p => Assert.StartsWith("/apis/apps/v1/", p.Name));
        Assert.True(root.GetProperty("paths").TryGetProperty("/apis/apps/v1/", out _));

        var schemas = root.GetProperty("components").GetProperty("schemas");
        var deployment = schemas.GetProperty("io.k8s.api.apps.v1.Deployment");
        var gvk = deployment.GetProperty("x-kubernetes-group-version-kind")[0];
        Assert.Equal(("apps", "v1", "Deployment"), (gvk.GetProperty("group").GetString(), gvk.GetProperty("version").GetString(), gvk.GetProperty("kind").GetString()));
        Assert.False(schemas.TryGetProperty("io.k8s.api.batch.v1.Job", out _), "schemas of other groups leak in");
        Assert.True(schemas.TryGetProperty("io.k8s.api.autoscaling.v1.Scale", out _), "the scale subresource's kind is reachable");
    }

    [Fact]
    public void Explain_deployment_spec_strategy_can_be_followed_by_gvk_and_refs()
    {
        // What kubectl explain does: find the GVK on a resource path's operation, find the schema
        // carrying that GVK, then follow properties through $ref/allOf.
        using var doc = V3("apis/apps/v1");
        var root = doc.RootElement;
        var get = root.GetProperty("paths").GetProperty("/apis/apps/v1/namespaces/{namespace}/deployments/{name}").GetProperty("get");
        var gvk = get.GetProperty("x-kubernetes-group-version-kind");
        Assert.Equal("Deployment", gvk.GetProperty("kind").GetString());

        var schemas = root.GetProperty("components").GetProperty("schemas");
        var schema = schemas.EnumerateObject().Single(s =>
            s.Value.TryGetProperty("x-kubernetes-group-version-kind", out var list)
            && list.EnumerateArray().Any(g => g.GetProperty("kind").GetString() == "Deployment" && g.GetProperty("group").GetString() == "apps")).Value;

        JsonElement Resolve(JsonElement s)
        {
            if (s.TryGetProperty("$ref", out var r)) return schemas.GetProperty(r.GetString()!["#/components/schemas/".Length..]);
            if (s.TryGetProperty("allOf", out var all)) return Resolve(all[0]);
            return s;
        }
        var strategy = Resolve(Resolve(Resolve(schema).GetProperty("properties").GetProperty("spec")).GetProperty("properties").GetProperty("strategy"));
        var fields = strategy.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["rollingUpdate", "type"], fields);
    }

    [Fact]
    public void Patch_operations_declare_fieldValidation_the_way_kubectls_v3_verifier_looks_for_it()
    {
        using var doc = V3("apis/apps/v1");
        var supports = false;
        foreach (var path in doc.RootElement.GetProperty("paths").EnumerateObject())
        {
            if (!path.Value.TryGetProperty("patch", out var patch)) continue;
            var gvk = patch.GetProperty("x-kubernetes-group-version-kind");
            if (gvk.GetProperty("kind").GetString() != "Deployment" || gvk.GetProperty("group").GetString() != "apps") continue;
            // Like kubectl: the first PATCH of the GVK decides, looking at operation-level parameters only.
            supports = patch.GetProperty("parameters").EnumerateArray().Any(p => p.GetProperty("name").GetString() == "fieldValidation");
            break;
        }
        Assert.True(supports);
    }

    [Fact]
    public void Bodies_become_request_bodies_and_ref_siblings_are_wrapped_in_allOf()
    {
        using var doc = V3("api/v1");
        var root = doc.RootElement;
        var post = root.GetProperty("paths").GetProperty("/api/v1/namespaces/{namespace}/pods").GetProperty("post");
        Assert.True(post.GetProperty("requestBody").GetProperty("required").GetBoolean());
        Assert.Equal("#/components/schemas/io.k8s.api.core.v1.Pod",
            post.GetProperty("requestBody").GetProperty("content").GetProperty("*/*").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.DoesNotContain(post.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("in").GetString() == "body");
        Assert.Equal("#/components/schemas/io.k8s.api.core.v1.Pod", post.GetProperty("responses").GetProperty("201")
            .GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());

        // Any schema that still has "$ref" has nothing beside it.
        var schemas = root.GetProperty("components").GetProperty("schemas");
        var offenders = new List<string>();
        void Check(string at, JsonElement s)
        {
            if (s.ValueKind != JsonValueKind.Object) return;
            if (s.TryGetProperty("$ref", out var r) && r.ValueKind == JsonValueKind.String && s.EnumerateObject().Count() > 1) offenders.Add(at);
            if (s.TryGetProperty("properties", out var props)) foreach (var p in props.EnumerateObject()) Check(at + "." + p.Name, p.Value);
            if (s.TryGetProperty("items", out var items)) Check(at + "[]", items);
            if (s.TryGetProperty("additionalProperties", out var ap)) Check(at + "{}", ap);
        }
        foreach (var s in schemas.EnumerateObject()) Check(s.Name, s.Value);
        Assert.Empty(offenders);
        // PodSpec.resourceClaims-style siblings exist upstream (x-kubernetes-* next to $ref); they end up in allOf form.
        Assert.Contains(schemas.EnumerateObject(), s => s.Value.GetRawText().Contains("\"allOf\""));
    }

    [Fact]
    public void Discovery_documents_carry_the_group_paths()
    {
        using (var api = V3("api")) Assert.Equal("getCoreAPIVersions", api.RootElement.GetProperty("paths").GetProperty("/api/").GetProperty("get").GetProperty("operationId").GetString());
        using (var apis = V3("apis")) Assert.True(apis.RootElement.GetProperty("paths").TryGetProperty("/apis/", out _));
        using (var apps = V3("apis/apps")) Assert.Equal("getAppsAPIGroup", apps.RootElement.GetProperty("paths").GetProperty("/apis/apps/").GetProperty("get").GetProperty("operationId").GetString());
        using (var version = V3("/version/")) Assert.True(version.RootElement.GetProperty("components").GetProperty("schemas").TryGetProperty("io.k8s.apimachinery.pkg.version.Info", out _));
        Assert.False(_service.TryGetV3("apis/nonexistent.example.com/v1", out _));
    }
}
