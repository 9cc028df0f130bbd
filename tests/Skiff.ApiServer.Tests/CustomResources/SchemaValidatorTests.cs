using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.CustomResources;

namespace Skiff.ApiServer.Tests.CustomResources;

/// <summary>Custom objects against openAPIV3Schema: upstream's paths, error types and messages.</summary>
public sealed class SchemaValidatorTests
{
    private static readonly CrdSchema Schema = CrdSchema.Parse(JsonNode.Parse("""
        {"type":"object","properties":{
          "spec":{"type":"object","required":["name"],"properties":{
            "name":{"type":"string","minLength":2,"maxLength":5,"pattern":"^[a-z]+$"},
            "replicas":{"type":"integer","minimum":0,"maximum":10},
            "ratio":{"type":"number","minimum":0,"exclusiveMinimum":true,"maximum":1,"exclusiveMaximum":true},
            "color":{"type":"string","enum":["red","blue"]},
            "port":{"x-kubernetes-int-or-string":true},
            "note":{"type":"string","nullable":true},
            "tags":{"type":"array","minItems":1,"maxItems":2,"items":{"type":"string"},"x-kubernetes-list-type":"set"},
            "ports":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"},"port":{"type":"integer"}}},
                     "x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"]},
            "labels":{"type":"object","maxProperties":1,"additionalProperties":{"type":"string"}},
            "template":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}
          }}}}
        """)!.AsObject());

    private static List<FieldError> Validate(string spec) =>
        SchemaValidator.Validate(JsonNode.Parse($$"""{"apiVersion":"x/v1","kind":"K","metadata":{"name":"n"},"spec":{{spec}}}""")!.AsObject(), Schema);

    private static string Messages(string spec) => string.Join("\n", Validate(spec).Select(e => $"{e.Field}: {e.Message}"));

    [Fact]
    public void AValidObjectHasNoErrors() =>
        Assert.Empty(Validate("""{"name":"abc","replicas":3,"ratio":0.5,"color":"red","port":"http","note":null,"tags":["a"],"labels":{"a":"b"}}"""));

    [Fact]
    public void WrongTypeIsTypeInvalidWithUpstreamsMessage()
    {
        var e = Assert.Single(Validate("""{"name":"abc","replicas":"string"}"""));
        Assert.Equal(FieldErrorType.TypeInvalid, e.Type);
        Assert.Equal("FieldValueTypeInvalid", e.Reason);
        Assert.Equal("spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\"", $"{e.Field}: {e.Message}");
    }

    [Fact]
    public void MissingRequiredFieldIsRequiredValue() =>
        Assert.Equal("spec.name: Required value", Messages("{}"));

    [Theory]
    [InlineData("""{"name":"abc","replicas":-1}""", "spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0")]
    [InlineData("""{"name":"abc","replicas":11}""", "spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10")]
    [InlineData("""{"name":"abc","ratio":0}""", "spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0")]
    [InlineData("""{"name":"abc","ratio":1}""", "spec.ratio: Invalid value: 1: spec.ratio in body should be less than 1")]
    [InlineData("""{"name":"a"}""", "spec.name: Invalid value: \"a\": spec.name in body should be at least 2 chars long")]
    [InlineData("""{"name":"abcdef"}""", "spec.name: Too long: may not be more than 5 bytes")]
    [InlineData("""{"name":"AB"}""", "spec.name: Invalid value: \"AB\": spec.name in body should match '^[a-z]+$'")]
    [InlineData("""{"name":"abc","color":"pink"}""", "spec.color: Unsupported value: \"pink\": supported values: \"red\", \"blue\"")]
    [InlineData("""{"name":"abc","port":1.5}""", "spec.port: Invalid value: \"number\": spec.port in body must be of type integer,string: \"number\"")]
    [InlineData("""{"name":"abc","tags":[]}""", "spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items")]
    [InlineData("""{"name":"abc","tags":["a","b","c"]}""", "spec.tags: Too many: 3: must have at most 2 items")]
    [InlineData("""{"name":"abc","tags":["a","a"]}""", "spec.tags[1]: Duplicate value: \"a\"")]
    [InlineData("""{"name":"abc","labels":{"a":"b","c":"d"}}""", "spec.labels: Too many: 2: must have at most 1 items")]
    [InlineData("""{"name":"abc","labels":{"a":1}}""", "spec.labels.a: Invalid value: \"integer\": spec.labels.a in body must be of type string: \"integer\"")]
    [InlineData("""{"name":"abc","replicas":null}""", "spec.replicas: Invalid value: \"null\": spec.replicas in body must be of type integer: \"null\"")]
    [InlineData("""{"name":"abc","template":{"metadata":{}}}""", "spec.template.kind: Required value: must not be empty\nspec.template.apiVersion: Required value: must not be empty")]
    public void ValueRulesUseUpstreamsWording(string spec, string expected) => Assert.Equal(expected, Messages(spec));

    [Fact]
    public void ListMapKeysMustBeUnique()
    {
        var e = Assert.Single(Validate("""{"name":"abc","ports":[{"name":"a","port":1},{"name":"a","port":2}]}"""));
        Assert.Equal(FieldErrorType.Duplicate, e.Type);
        Assert.Equal("spec.ports[1]", e.Field);
    }

    [Fact]
    public void IntegersWrittenAsWholeFloatsAreIntegers() => Assert.Empty(Validate("""{"name":"abc","replicas":2.0}"""));

    [Fact]
    public void RootMachineryFieldsAreNotSchemaChecked()
    {
        var strict = CrdSchema.Parse(JsonNode.Parse("""{"type":"object","properties":{"metadata":{"type":"object","properties":{"name":{"type":"string","maxLength":3}}}}}""")!.AsObject());
        Assert.Empty(SchemaValidator.Validate(JsonNode.Parse("""{"apiVersion":"x/v1","kind":"K","metadata":{"name":"longer"}}""")!.AsObject(), strict));
    }
}
