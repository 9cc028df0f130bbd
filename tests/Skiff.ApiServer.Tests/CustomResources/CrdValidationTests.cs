using System.Text.Json.Nodes;
using Skiff.ApiServer.CustomResources;

namespace Skiff.ApiServer.Tests.CustomResources;

/// <summary>Validation of CustomResourceDefinitions, after the server's defaults.</summary>
public sealed class CrdValidationTests
{
    private static JsonObject Crd(string name = "widgets.example.com", string group = "example.com", string scope = "Namespaced",
        string versions = """[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","properties":{"spec":{"type":"object"}}}}}]""") =>
        JsonNode.Parse($$$"""
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"{{{name}}}"},
             "spec":{"group":"{{{group}}}","scope":"{{{scope}}}","names":{"plural":"widgets","kind":"Widget"},"versions":{{{versions}}}}}
            """)!.AsObject();

    private static List<string> Errors(JsonObject crd)
    {
        CrdDefaults.Apply(crd);
        return CrdValidation.Validate(crd).Select(e => $"{e.Field}: {e.Message}").ToList();
    }

    [Fact]
    public void AGoodCrdIsValidAndDefaulted()
    {
        var crd = Crd();
        Assert.Empty(Errors(crd));
        Assert.Equal("widget", (string?)crd["spec"]!["names"]!["singular"]);
        Assert.Equal("WidgetList", (string?)crd["spec"]!["names"]!["listKind"]);
        Assert.Equal("None", (string?)crd["spec"]!["conversion"]!["strategy"]);
        Assert.Equal("v1", (string?)crd["status"]!["storedVersions"]![0]);
        Assert.Equal(CrdModel.CleanupFinalizer, (string?)crd["metadata"]!["finalizers"]![0]);
    }

    [Fact]
    public void NameMustBePluralDotGroup() =>
        Assert.Contains("metadata.name: Invalid value: \"gadgets.example.com\": must be spec.names.plural+\".\"+spec.group", Errors(Crd(name: "gadgets.example.com")));

    [Fact]
    public void GroupNeedsADot() =>
        Assert.Contains("spec.group: Invalid value: \"example\": should be a domain with at least one dot", Errors(Crd(name: "widgets.example", group: "example")));

    [Fact]
    public void ScopeIsNamespacedOrCluster() =>
        Assert.Contains("spec.scope: Unsupported value: \"Global\": supported values: \"Cluster\", \"Namespaced\"", Errors(Crd(scope: "Global")));

    [Fact]
    public void ExactlyOneStorageVersion() =>
        Assert.Contains("spec.versions: Invalid value: [...]: must have exactly one version marked as storage version", Errors(Crd(versions:
            """[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object"}}},{"name":"v2","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object"}}}]""")));

    [Fact]
    public void SchemasAreRequired() =>
        Assert.Contains("spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required",
            Errors(Crd(versions: """[{"name":"v1","served":true,"storage":true}]""")));

    [Theory]
    [InlineData("""{"type":"object","properties":{"spec":{"description":"x"}}}""",
        "spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields")]
    [InlineData("""{"type":"string"}""", "spec.versions[0].schema.openAPIV3Schema.type: Invalid value: \"string\": must be object at the root")]
    [InlineData("""{"type":"object","properties":{"list":{"type":"array"}}}""", "spec.versions[0].schema.openAPIV3Schema.properties[list].items: Required value: must be specified")]
    [InlineData("""{"type":"object","properties":{"list":{"type":"array","uniqueItems":true,"items":{"type":"string"}}}}""",
        "spec.versions[0].schema.openAPIV3Schema.properties[list].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic")]
    [InlineData("""{"type":"object","properties":{"metadata":{"type":"object","properties":{"labels":{"type":"object"}}}}}""",
        "spec.versions[0].schema.openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified")]
    [InlineData("""{"type":"object","properties":{"p":{"type":"string","x-kubernetes-int-or-string":true}}}""",
        "spec.versions[0].schema.openAPIV3Schema.properties[p].type: Invalid value: \"string\": must be empty if x-kubernetes-int-or-string is true")]
    [InlineData("""{"type":"object","properties":{"r":{"type":"object","x-kubernetes-embedded-resource":true}}}""",
        "spec.versions[0].schema.openAPIV3Schema.properties[r].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields")]
    [InlineData("""{"type":"object","properties":{"n":{"type":"integer","default":"x"}}}""",
        "spec.versions[0].schema.openAPIV3Schema.properties[n].default: Invalid value: \"string\": in body must be of type integer: \"string\"")]
    public void SchemasMustBeStructural(string schema, string expected) =>
        Assert.Contains(expected, Errors(Crd(versions: $$$"""[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{{{schema}}}}}]""")));

    [Fact]
    public void PrinterColumnsAndScalePathsAreChecked()
    {
        var errors = Errors(Crd(versions: """
            [{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object"}},
              "subresources":{"scale":{"specReplicasPath":".status.replicas","statusReplicasPath":"status.replicas"}},
              "additionalPrinterColumns":[{"name":"A","type":"float","jsonPath":".spec.a"}]}]
            """));
        Assert.Contains("spec.versions[0].subresources.scale.specReplicasPath: Invalid value: \".status.replicas\": should be a json path under .spec", errors);
        Assert.Contains("spec.versions[0].subresources.scale.statusReplicasPath: Invalid value: \"status.replicas\": must be a simple json path starting with .", errors);
        Assert.Contains("spec.versions[0].additionalPrinterColumns[0].type: Invalid value: \"float\": must be one of boolean,date,integer,number,string", errors);
    }
}
