using System.Text.Json;
using Skiff.Api.Meta;
using Skiff.Api.Schema;

namespace Skiff.Api.Tests.Schema;

public sealed class SchemaExtensionsTests
{
    [Fact]
    public void Pod_spec_containers_merge_by_name()
    {
        var containers = SchemaExtensions.FindProperty("io.k8s.api.core.v1.Pod", "spec", "containers")!;
        Assert.Equal("merge", containers.PatchStrategy);
        Assert.Equal("name", containers.PatchMergeKey);
        Assert.Equal("map", containers.ListType);
        Assert.Equal(["name"], containers.ListMapKeys);
        Assert.True(containers.Schema.IsArray);
        Assert.Equal("io.k8s.api.core.v1.Container", SchemaExtensions.ElementRef(containers.Schema));
    }

    [Fact]
    public void Service_ports_are_keyed_by_port_and_protocol()
    {
        var ports = SchemaExtensions.Find("io.k8s.api.core.v1.ServiceSpec")!.Property("ports")!;
        Assert.Equal(["port", "protocol"], ports.ListMapKeys);
        Assert.Equal("port", ports.PatchMergeKey);
    }

    [Fact]
    public void Walking_through_maps_and_missing_fields()
    {
        var limits = SchemaExtensions.FindProperty("io.k8s.api.core.v1.Pod", "spec", "containers", "resources", "limits")!;
        Assert.True(limits.Schema.IsMap);
        Assert.Equal("io.k8s.apimachinery.pkg.api.resource.Quantity", limits.Schema.AdditionalProperties!.Ref);
        Assert.Null(SchemaExtensions.FindProperty("io.k8s.api.core.v1.Pod", "spec", "noSuchField"));
        Assert.Empty(SchemaExtensions.FindProperty("io.k8s.api.core.v1.Pod", "metadata")!.ListMapKeys);
    }

    [Fact]
    public void Definition_level_map_type_unions_and_required()
    {
        Assert.Equal("atomic", SchemaExtensions.Find("io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector")!.MapType);
        var seccomp = SchemaExtensions.Find("io.k8s.api.core.v1.SeccompProfile")!;
        var union = Assert.Single(seccomp.Unions);
        Assert.Equal("type", union.Discriminator);
        Assert.Equal("LocalhostProfile", union.FieldsToDiscriminateBy["localhostProfile"]);
        Assert.Contains("containers", SchemaExtensions.Find("io.k8s.api.core.v1.PodSpec")!.Required);
    }

    [Fact]
    public void Kinds_map_to_their_definitions()
    {
        Assert.Equal("io.k8s.api.apps.v1.Deployment", SchemaExtensions.DefinitionNamesByKind[new GroupVersionKind("apps", "v1", "Deployment")]);
        Assert.Equal("io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
            SchemaExtensions.FindForKind(new GroupVersionKind("apps", "v1", "DeleteOptions"))!.Name);
        Assert.Equal(771, SchemaExtensions.Definitions.Count);
    }

    [Fact]
    public void Embedded_definitions_json_is_loaded()
    {
        using var doc = JsonDocument.Parse(OpenApiDefinitions.Utf8Json);
        Assert.True(doc.RootElement.TryGetProperty("io.k8s.api.core.v1.Pod", out var pod));
        Assert.Equal("object", pod.GetProperty("type").GetString());
    }
}
