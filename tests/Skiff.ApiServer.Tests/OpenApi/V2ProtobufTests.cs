using Skiff.ApiServer.OpenApi;
using Skiff.ApiServer.OpenApi.Proto;

namespace Skiff.ApiServer.Tests.OpenApi;

public sealed class V2ProtobufTests
{
    private static Document ParseServed()
    {
        var service = new OpenApiService(UpstreamSwagger.ProductDefinitionsJson);
        service.Update(HandMadeResources.PodsNamespacesDeployments);
        var served = service.GetV2(protobuf: true);
        Assert.Equal("application/com.github.proto-openapi.spec.v2.v1.0+protobuf", served.ContentType);
        return Document.Parser.ParseFrom(served.Body.Span);
    }

    [Fact]
    public void Definitions_survive_with_properties_refs_and_extensions()
    {
        var doc = ParseServed();
        Assert.Equal("2.0", doc.Swagger);
        Assert.Equal("Kubernetes", doc.Info.Title);

        var deployment = doc.Definitions.AdditionalProperties.Single(d => d.Name == "io.k8s.api.apps.v1.Deployment").Value;
        Assert.Equal(["object"], deployment.Type.Value);
        var spec = deployment.Properties.AdditionalProperties.Single(p => p.Name == "spec").Value;
        Assert.Equal("#/definitions/io.k8s.api.apps.v1.DeploymentSpec", spec.Ref);
        var gvk = deployment.VendorExtension.Single(e => e.Name == "x-kubernetes-group-version-kind");
        Assert.Contains("\"kind\":\"Deployment\"", gvk.Value.Yaml.Replace(" ", ""));

        var podSpec = doc.Definitions.AdditionalProperties.Single(d => d.Name == "io.k8s.api.core.v1.PodSpec").Value;
        var containers = podSpec.Properties.AdditionalProperties.Single(p => p.Name == "containers").Value;
        Assert.Equal(["array"], containers.Type.Value);
        Assert.Equal("#/definitions/io.k8s.api.core.v1.Container", containers.Items.Schema.Single().Ref);
        Assert.Contains(containers.VendorExtension, e => e.Name == "x-kubernetes-patch-merge-key" && e.Value.Yaml.Contains("name"));
        Assert.Contains("containers", podSpec.Required);

        var labels = doc.Definitions.AdditionalProperties.Single(d => d.Name == "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")
            .Value.Properties.AdditionalProperties.Single(p => p.Name == "labels").Value;
        Assert.Equal(["string"], labels.AdditionalProperties.Schema.Type.Value);
    }

    [Fact]
    public void Paths_survive_with_operations_parameters_and_responses()
    {
        var doc = ParseServed();
        var item = doc.Paths.Path.Single(p => p.Name == "/apis/apps/v1/namespaces/{namespace}/deployments/{name}").Value;
        Assert.Equal("readAppsV1NamespacedDeployment", item.Get.OperationId);
        Assert.Equal("patchAppsV1NamespacedDeployment", item.Patch.OperationId);
        Assert.Contains("application/strategic-merge-patch+json", item.Patch.Consumes);

        // kubectl's v2 check: a query parameter named fieldValidation on the PATCH of this GVK.
        Assert.Contains(item.Patch.Parameters, p => p.Parameter?.NonBodyParameter?.QueryParameterSubSchema?.Name == "fieldValidation");
        var body = item.Patch.Parameters.Single(p => p.Parameter?.BodyParameter is not null).Parameter.BodyParameter;
        Assert.Equal("#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch", body.Schema.Ref);
        Assert.True(body.Required);
        Assert.Contains(item.Parameters, p => p.Parameter?.NonBodyParameter?.PathParameterSubSchema?.Name == "namespace");

        var gvk = item.Patch.VendorExtension.Single(e => e.Name == "x-kubernetes-group-version-kind").Value.Yaml;
        Assert.Contains("\"group\":\"apps\"", gvk);
        var ok = item.Get.Responses.ResponseCode.Single(r => r.Name == "200").Value.Response;
        Assert.Equal("#/definitions/io.k8s.api.apps.v1.Deployment", ok.Schema.Schema.Ref);

        Assert.Equal("BearerToken", doc.SecurityDefinitions.AdditionalProperties.Single().Name);
        Assert.Equal("header", doc.SecurityDefinitions.AdditionalProperties.Single().Value.ApiKeySecurity.In);
    }

    [Fact]
    public void Protobuf_and_json_describe_the_same_paths()
    {
        var service = new OpenApiService(UpstreamSwagger.ProductDefinitionsJson);
        service.Update(UpstreamSwagger.Instance.Resources);
        var doc = Document.Parser.ParseFrom(service.GetV2(protobuf: true).Body.Span);
        using var json = System.Text.Json.JsonDocument.Parse(service.GetV2(protobuf: false).Body);
        var jsonPaths = json.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(jsonPaths, doc.Paths.Path.Select(p => p.Name).ToList());
        Assert.Equal(json.RootElement.GetProperty("definitions").EnumerateObject().Count(), doc.Definitions.AdditionalProperties.Count);
    }
}
