using System.Text.Json.Nodes;
using Skiff.Api.Validation;

namespace Skiff.Api.Tests.Validation;

public class ObjectMetaValidatorTests
{
    private static JsonObject Meta(string json) => JsonNode.Parse(json)!.AsObject();

    [Fact]
    public void Valid_namespaced_metadata_has_no_errors() =>
        Assert.Empty(ObjectMetaValidator.Validate(
            Meta("""{"name":"web","namespace":"default","labels":{"app":"web"},"annotations":{"example.com/x":"y"}}"""),
            NameRule.DnsSubdomain, namespaced: true));

    [Fact]
    public void Missing_name_and_generate_name_is_required()
    {
        var err = Assert.Single(ObjectMetaValidator.Validate(Meta("""{"namespace":"default"}"""), NameRule.DnsSubdomain, true));
        Assert.Equal(FieldErrorType.Required, err.Type);
        Assert.Equal("metadata.name", err.Field);
        Assert.Equal("Required value: name or generateName is required", err.Message);
    }

    [Fact]
    public void Invalid_name_reports_value_and_rule_message()
    {
        var err = Assert.Single(ObjectMetaValidator.Validate(Meta("""{"name":"Web","namespace":"default"}"""), NameRule.DnsSubdomain, true));
        Assert.Equal("metadata.name", err.Field);
        Assert.Equal("FieldValueInvalid", err.Reason);
        Assert.StartsWith("Invalid value: \"Web\": a lowercase RFC 1123 subdomain must consist of", err.Message);
    }

    [Fact]
    public void Bad_generate_name_reports_generate_name_field()
    {
        var errs = ObjectMetaValidator.Validate(Meta("""{"generateName":"Web-","name":"web-abcde","namespace":"x"}"""), NameRule.DnsSubdomain, true);
        Assert.Equal("metadata.generateName", Assert.Single(errs).Field);
    }

    [Fact]
    public void Namespace_is_required_for_namespaced_resources()
    {
        var err = Assert.Single(ObjectMetaValidator.Validate(Meta("""{"name":"web"}"""), NameRule.DnsSubdomain, true));
        Assert.Equal(("metadata.namespace", FieldErrorType.Required), (err.Field, err.Type));
        Assert.Equal("Required value", err.Message);
    }

    [Fact]
    public void Namespace_is_forbidden_for_cluster_scoped_resources()
    {
        var err = Assert.Single(ObjectMetaValidator.Validate(Meta("""{"name":"n1","namespace":"default"}"""), NameRule.DnsSubdomain, false));
        Assert.Equal(("metadata.namespace", FieldErrorType.Forbidden), (err.Field, err.Type));
        Assert.Equal("Forbidden: not allowed on this type", err.Message);
    }

    [Fact]
    public void Namespace_value_must_be_a_dns_label()
    {
        var err = Assert.Single(ObjectMetaValidator.Validate(Meta("""{"name":"a","namespace":"a.b"}"""), NameRule.DnsSubdomain, true));
        Assert.Equal("metadata.namespace", err.Field);
        Assert.Contains("RFC 1123 label", err.Detail);
    }

    [Fact]
    public void Label_key_and_value_errors_use_upstreams_paths()
    {
        var errs = ObjectMetaValidator.Validate(
            Meta("""{"name":"a","namespace":"d","labels":{"bad key":"ok","good":"bad value"}}"""), NameRule.DnsSubdomain, true);
        Assert.Equal(2, errs.Count);
        Assert.Equal(("metadata.labels", "bad key"), (errs[0].Field, errs[0].BadValue));
        Assert.StartsWith("name part must consist of alphanumeric characters", errs[0].Detail);
        Assert.Equal(("metadata.labels[good]", "bad value"), (errs[1].Field, errs[1].BadValue));
    }

    [Fact]
    public void Label_value_longer_than_63_characters()
    {
        var meta = new JsonObject { ["name"] = "a", ["labels"] = new JsonObject { ["k"] = new string('v', 64) } };
        var err = Assert.Single(ObjectMetaValidator.Validate(meta, NameRule.DnsSubdomain, false));
        Assert.Equal("must be no more than 63 characters", err.Detail);
    }

    [Fact]
    public void Annotation_keys_are_checked_case_insensitively() =>
        Assert.Empty(ObjectMetaValidator.Validate(Meta("""{"name":"a","annotations":{"Example.COM/Key":"v"}}"""), NameRule.DnsSubdomain, false));

    [Fact]
    public void Annotations_over_256_KiB_are_too_long()
    {
        var meta = new JsonObject
        {
            ["name"] = "a",
            ["annotations"] = new JsonObject { ["big"] = new string('x', ObjectMetaValidator.TotalAnnotationSizeLimitBytes) },
        };
        var err = Assert.Single(ObjectMetaValidator.Validate(meta, NameRule.DnsSubdomain, false));
        Assert.Equal(("metadata.annotations", FieldErrorType.TooLong), (err.Field, err.Type));
        Assert.Equal("Too long: may not be more than 262144 bytes", err.Message);
    }

    [Fact]
    public void Annotations_exactly_at_the_limit_pass()
    {
        var meta = new JsonObject
        {
            ["name"] = "a",
            ["annotations"] = new JsonObject { ["big"] = new string('x', ObjectMetaValidator.TotalAnnotationSizeLimitBytes - 3) },
        };
        Assert.Empty(ObjectMetaValidator.Validate(meta, NameRule.DnsSubdomain, false));
    }

    [Fact]
    public void Negative_generation_is_invalid()
    {
        var err = Assert.Single(ObjectMetaValidator.Validate(Meta("""{"name":"a","generation":-1}"""), NameRule.DnsSubdomain, false));
        Assert.Equal("Invalid value: -1: must be greater than or equal to 0", err.Message);
    }

    [Fact]
    public void Owner_references_need_version_kind_name_and_uid()
    {
        var errs = ObjectMetaValidator.Validate(Meta("""{"name":"a","ownerReferences":[{"apiVersion":"apps/"}]}"""), NameRule.DnsSubdomain, false);
        Assert.Equal(
            ["metadata.ownerReferences[0].apiVersion", "metadata.ownerReferences[0].kind", "metadata.ownerReferences[0].name", "metadata.ownerReferences[0].uid"],
            errs.Select(e => e.Field));
    }

    [Fact]
    public void Only_one_owner_may_be_the_controller()
    {
        var errs = ObjectMetaValidator.Validate(Meta("""
            {"name":"a","ownerReferences":[
              {"apiVersion":"apps/v1","kind":"ReplicaSet","name":"r1","uid":"1","controller":true},
              {"apiVersion":"apps/v1","kind":"ReplicaSet","name":"r2","uid":"2","controller":true}]}
            """), NameRule.DnsSubdomain, false);
        var err = Assert.Single(errs);
        Assert.Equal("metadata.ownerReferences", err.Field);
        Assert.StartsWith("Only one reference can have Controller set to true.", err.Detail);
    }

    [Fact]
    public void Orphan_and_foreground_finalizers_conflict()
    {
        var err = Assert.Single(ObjectMetaValidator.Validate(Meta("""{"name":"a","finalizers":["orphan","foregroundDeletion"]}"""), NameRule.DnsSubdomain, false));
        Assert.Equal("metadata.finalizers", err.Field);
        Assert.Equal("finalizer orphan and foregroundDeletion cannot be both set", err.Detail);
    }

    [Fact]
    public void Services_reject_names_starting_with_a_digit() =>
        Assert.Equal("metadata.name", Assert.Single(ObjectMetaValidator.Validate(Meta("""{"name":"1web","namespace":"d"}"""), NameRule.Dns1035Label, true)).Field);
}
