using System.Text;
using Skiff.Api.Validation.FieldValidation;

namespace Skiff.Api.Tests.FieldValidation;

public class UnknownFieldCheckerTests
{
    private const string Deployment = "io.k8s.api.apps.v1.Deployment";

    private static IReadOnlyList<string> Check(string json, string definition = Deployment) =>
        UnknownFieldChecker.Find(Encoding.UTF8.GetBytes(json), definition);

    [Fact]
    public void Real_deployment_manifest_is_clean() =>
        Assert.Empty(Check(Manifests.Deployment));

    [Fact]
    public void Unknown_top_level_field_is_reported_by_name()
    {
        var found = Check("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"foo":1}""");
        Assert.Equal(["unknown field \"foo\""], found);
    }

    [Fact]
    public void Unknown_nested_field_carries_its_dotted_path() =>
        Assert.Equal(["unknown field \"spec.foo\""], Check("""{"spec":{"replicas":1,"foo":{"bar":1}}}"""));

    [Fact]
    public void Array_items_are_addressed_by_index()
    {
        var found = Check("""
            {"spec":{"template":{"spec":{"containers":[
              {"name":"a","image":"busybox"},
              {"name":"b","imagee":"busybox","ports":[{"containerPort":80},{"containerPort":81,"protocoll":"TCP"}]}
            ]}}}}
            """);
        Assert.Equal([
            "unknown field \"spec.template.spec.containers[1].imagee\"",
            "unknown field \"spec.template.spec.containers[1].ports[1].protocoll\"",
        ], found);
    }

    [Fact]
    public void Findings_come_in_document_order_and_join_into_upstreams_bad_request_message()
    {
        var found = Check("""{"zzz":1,"metadata":{"name":"web","lables":{"a":"b"}},"spec":{"replicas":1,"replicas":2},"aaa":true}""");
        Assert.Equal([
            "unknown field \"zzz\"",
            "unknown field \"metadata.lables\"",
            "duplicate field \"spec.replicas\"",
            "unknown field \"aaa\"",
        ], found);
        Assert.Equal(
            "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"zzz\", "
            + "unknown field \"metadata.lables\", duplicate field \"spec.replicas\", unknown field \"aaa\"",
            StrictDecodingMessages.BadRequestMessage("Deployment", "v1", "Deployment", found));
    }

    [Fact]
    public void Duplicate_fields_are_reported_at_the_top_and_inside_maps()
    {
        var found = Check("""{"kind":"Deployment","kind":"Deployment","metadata":{"labels":{"app":"a","tier":"b","app":"c"}}}""");
        Assert.Equal(["duplicate field \"kind\"", "duplicate field \"metadata.labels.app\""], found);
    }

    [Fact]
    public void A_repeated_unknown_field_is_reported_once_as_unknown() =>
        Assert.Equal(["unknown field \"a\""], Check("""{"a":1,"a":2}"""));

    [Fact]
    public void Duplicates_are_found_whatever_the_key_escaping() =>
        Assert.Equal(["duplicate field \"metadata.labels.app\""],
            Check("""{"metadata":{"labels":{"app":"a","\u0061pp":"b"}}}"""));

    [Fact]
    public void Escaped_names_are_matched_after_unescaping() =>
        Assert.Empty(Check("""{"spec":{"r\u0065plicas":1}}"""));

    [Fact]
    public void The_path_is_quoted_the_way_go_quotes_it() =>
        Assert.Equal(["unknown field \"spec.a\\\"b\\n\\\\c\\u00a0é\""], Check("""{"spec":{"a\"b\n\\c\u00a0é":1}}"""));

    [Fact]
    public void Duplicate_detection_holds_for_large_maps()
    {
        var labels = string.Join(",", Enumerable.Range(0, 200).Select(i => $"\"k{i}\":\"v\""));
        var found = Check("""{"metadata":{"labels":{""" + labels + ""","k7":"again","k199":"again"}}}""");
        Assert.Equal(["duplicate field \"metadata.labels.k7\"", "duplicate field \"metadata.labels.k199\""], found);
    }

    [Fact]
    public void Map_keys_are_never_unknown()
    {
        var json = """
            {"metadata":{"labels":{"anything.example.com/x":"1"},"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"}},
             "spec":{"template":{"spec":{"nodeSelector":{"disk":"ssd"},"containers":[{"name":"a","resources":{"limits":{"cpu":"1","example.com/gpu":"2"}}}]}}}}
            """;
        Assert.Empty(Check(json));
        Assert.Empty(Check("""{"apiVersion":"v1","kind":"ConfigMap","data":{"x":"1","y":"2"},"binaryData":{"z":"AA=="}}""", "io.k8s.api.core.v1.ConfigMap"));
    }

    [Fact]
    public void Values_decoded_by_their_own_types_are_not_looked_into()
    {
        // RawExtension (ControllerRevision.data) and FieldsV1 (managedFields) take any JSON.
        Assert.Empty(Check("""
            {"apiVersion":"apps/v1","kind":"ControllerRevision","revision":1,"data":{"spec":{"whatever":{"x":1}},"x":1,"x":2},
             "metadata":{"managedFields":[{"manager":"kubectl","fieldsV1":{"f:spec":{"f:replicas":{}}}}]}}
            """, "io.k8s.api.apps.v1.ControllerRevision"));
        // apiextensions JSON (a schema default) is free-form; JSONSchemaProps itself is checked.
        var crd = """
            {"spec":{"group":"example.com","versions":[{"name":"v1","schema":{"openAPIV3Schema":{"type":"object",
              "properties":{"size":{"type":"integer","default":{"anything":1},"typo":true}}}}}]}}
            """;
        Assert.Equal(["unknown field \"spec.versions[0].schema.openAPIV3Schema.properties.size.typo\""],
            Check(crd, "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition"));
    }

    [Fact]
    public void Type_meta_is_known_only_at_the_top_like_upstreams_go_structs() =>
        Assert.Equal(["unknown field \"spec.template.kind\""],
            Check("""{"apiVersion":"apps/v1","kind":"Deployment","spec":{"template":{"kind":"PodTemplateSpec","metadata":{}}}}"""));

    [Fact]
    public void Unknown_null_is_reported_and_known_null_is_fine() =>
        Assert.Equal(["unknown field \"spec.foo\""], Check("""{"spec":{"foo":null,"replicas":null,"template":null}}"""));

    [Fact]
    public void Names_are_case_sensitive() =>
        Assert.Equal(["unknown field \"spec.Replicas\""], Check("""{"spec":{"Replicas":1}}"""));

    [Fact]
    public void Values_of_the_wrong_json_type_are_left_to_the_decoder() =>
        Assert.Empty(Check("""{"spec":{"replicas":{"foo":1},"template":{"spec":{"containers":{"foo":1}}},"selector":[{"foo":1}]}}"""));

    [Fact]
    public void At_most_one_hundred_findings_are_kept()
    {
        var fields = string.Join(",", Enumerable.Range(0, 150).Select(i => $"\"f{i}\":1"));
        var found = Check("{" + fields + "}");
        Assert.Equal(UnknownFieldChecker.MaxFindings, found.Count);
        Assert.Equal("unknown field \"f99\"", found[^1]);
    }

    [Fact]
    public void Non_object_and_malformed_bodies_yield_what_was_found()
    {
        Assert.Empty(Check("[1,2]"));
        Assert.Empty(Check(""));
        Assert.Equal(["unknown field \"foo\""], Check("""{"foo":1,"spec":{"""));
    }

    [Fact]
    public void Unknown_definition_yields_nothing() =>
        Assert.Empty(Check("""{"foo":1}""", "io.k8s.api.nope.v1.Nothing"));

    [Fact]
    public void Warning_header_value_escapes_quotes_like_upstream() =>
        Assert.Equal("299 - \"unknown field \\\"spec.foo\\\"\"", StrictDecodingMessages.WarningHeaderValue("unknown field \"spec.foo\""));

    [Fact]
    public void Strict_decoding_error_joins_with_comma_space() =>
        Assert.Equal("strict decoding error: unknown field \"spec.foo\", duplicate field \"a\"",
            StrictDecodingMessages.StrictDecodingError(["unknown field \"spec.foo\"", "duplicate field \"a\""]));

    [Fact]
    public void Values_of_a_map_of_structs_are_checked_under_their_key()
    {
        var slice = """
            {"spec":{"driver":"gpu.example.com","devices":[{"name":"gpu-0",
              "attributes":{"gpu.example.com/model":{"string":"a100"},"gpu.example.com/index":{"int":0,"strng":"x"}}}]}}
            """;
        Assert.Equal(["unknown field \"spec.devices[0].attributes.gpu.example.com/index.strng\""],
            Check(slice, "io.k8s.api.resource.v1.ResourceSlice"));
    }

    [Fact]
    public void Every_built_in_kind_accepts_its_own_type_meta_and_metadata()
    {
        foreach (var (gvk, definition) in Skiff.Api.Schema.SchemaExtensions.DefinitionNamesByKind)
        {
            var apiVersion = gvk.Group.Length == 0 ? gvk.Version : $"{gvk.Group}/{gvk.Version}";
            var body = "{\"apiVersion\":\"" + apiVersion + "\",\"kind\":\"" + gvk.Kind + "\",\"metadata\":{\"name\":\"x\",\"labels\":{\"a\":\"b\"}}}";
            var found = Check(body, definition);
            // List kinds, WatchEvent, Status and the like have ListMeta or no metadata; only resource kinds must be clean.
            if (Skiff.Api.Schema.SchemaExtensions.Find(definition)!.Property("metadata")?.Schema.Ref == "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")
                Assert.True(found.Count == 0, $"{gvk}: {string.Join(", ", found)}");
        }
    }
}
