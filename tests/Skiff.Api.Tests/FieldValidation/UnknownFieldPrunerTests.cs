using System.Text;
using System.Text.Json.Nodes;
using Skiff.Api.Schema;
using Skiff.Api.Validation.FieldValidation;

namespace Skiff.Api.Tests.FieldValidation;

public class UnknownFieldPrunerTests
{
    private static readonly DefinitionSchema Deployment = SchemaExtensions.Find("io.k8s.api.apps.v1.Deployment")!;

    [Fact]
    public void Drops_exactly_what_the_checker_reports_and_keeps_the_rest()
    {
        var json = """
            {"apiVersion":"apps/v1","kind":"Deployment","foo":1,
             "metadata":{"name":"web","labels":{"any.key/x":"1"},"lables":{}},
             "spec":{"replicas":2,"bar":null,"template":{"kind":"x","spec":{"containers":[{"name":"a","imagee":"b","resources":{"limits":{"cpu":"1"}}}]}}}}
            """;
        var found = UnknownFieldChecker.Find(Encoding.UTF8.GetBytes(json), Deployment);
        var body = JsonNode.Parse(json)!.AsObject();

        Assert.Equal(found.Count, UnknownFieldPruner.Prune(body, Deployment));
        Assert.Equal(
            """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"any.key/x":"1"}},"spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"a","resources":{"limits":{"cpu":"1"}}}]}}}}""",
            body.ToJsonString());
        Assert.Empty(UnknownFieldChecker.Find(Encoding.UTF8.GetBytes(body.ToJsonString()), Deployment));
    }

    [Fact]
    public void A_clean_manifest_is_left_alone()
    {
        var body = JsonNode.Parse(Manifests.Deployment)!.AsObject();
        var before = body.ToJsonString();
        Assert.Equal(0, UnknownFieldPruner.Prune(body, Deployment));
        Assert.Equal(before, body.ToJsonString());
    }

    [Fact]
    public void Self_decoding_values_keep_their_contents()
    {
        var revision = SchemaExtensions.Find("io.k8s.api.apps.v1.ControllerRevision")!;
        var body = JsonNode.Parse("""{"revision":1,"data":{"anything":{"x":1}},"metadata":{"managedFields":[{"fieldsV1":{"f:spec":{}}}]}}""")!.AsObject();
        Assert.Equal(0, UnknownFieldPruner.Prune(body, revision));
    }
}
