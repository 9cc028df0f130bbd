using System.Text.Json.Nodes;
using Skiff.Api.FieldManagement;
using Skiff.Api.Schema;

namespace Skiff.Api.Tests.FieldManagement;

public sealed class ManagedFieldsTests
{
    internal static readonly DefinitionSchema Deployment = SchemaExtensions.Find("io.k8s.api.apps.v1.Deployment")!;
    internal static readonly DateTimeOffset T0 = new(2026, 11, 22, 6, 0, 0, TimeSpan.Zero);

    internal static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    internal static JsonArray Entries(JsonObject obj) => obj["metadata"]!["managedFields"]!.AsArray();

    internal static JsonObject Entry(JsonObject obj, string manager, string operation) =>
        Entries(obj).Single(e => (string)e!["manager"]! == manager && (string)e["operation"]! == operation)!.AsObject();

    internal static string Fields(JsonObject obj, string manager, string operation) =>
        FieldSet.FromFieldsV1(Entry(obj, manager, operation)["fieldsV1"]).ToFieldsV1Json();

    // What `kubectl create deployment nginx-0930 --image=nginx` stores once defaulting has run.
    private const string CreatedDeployment = """
        {"apiVersion":"apps/v1","kind":"Deployment",
         "metadata":{"name":"nginx-0930","namespace":"default","uid":"5807ba64","generation":1,"creationTimestamp":"2024-09-30T19:31:32Z","labels":{"app":"nginx-0930"}},
         "spec":{"replicas":1,"selector":{"matchLabels":{"app":"nginx-0930"}},
           "template":{"metadata":{"labels":{"app":"nginx-0930"}},
             "spec":{"containers":[{"name":"nginx","image":"nginx","resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"Always"}],
               "restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","securityContext":{},"schedulerName":"default-scheduler"}},
           "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}},
           "revisionHistoryLimit":10,"progressDeadlineSeconds":600},
         "status":{}}
        """;

    [Fact]
    public void CreateRecordsWhatUpstreamRecordsForKubectlCreateDeployment()
    {
        var created = ManagedFields.Update(null, Obj(CreatedDeployment), Deployment, "kubectl-create", "apps/v1", T0);

        var entry = Assert.Single(Entries(created))!.AsObject();
        Assert.Equal(
            """{"manager":"kubectl-create","operation":"Update","apiVersion":"apps/v1","time":"2026-11-22T06:00:00Z","fieldsType":"FieldsV1"}""",
            new JsonObject(entry.Where(p => p.Key != "fieldsV1").Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))).ToJsonString());
        Assert.Equal(FieldSetTests.KubectlCreateDeployment, FieldSet.FromFieldsV1(entry["fieldsV1"]).ToFieldsV1Json());
    }

    [Fact]
    public void AnUpdateTakesChangedFieldsFromOtherManagers()
    {
        var created = ManagedFields.Update(null, Obj(CreatedDeployment), Deployment, "kubectl-create", "apps/v1", T0);
        var scaled = created.DeepClone().AsObject();
        scaled["spec"]!["replicas"] = 3;

        var result = ManagedFields.Update(created, scaled, Deployment, "kubectl-scale", "apps/v1", T0.AddMinutes(1), subresource: "scale");

        Assert.Equal("""{"f:spec":{"f:replicas":{}}}""", Fields(result, "kubectl-scale", "Update"));
        Assert.Equal("scale", (string)Entry(result, "kubectl-scale", "Update")["subresource"]!);
        Assert.DoesNotContain("f:replicas", Fields(result, "kubectl-create", "Update"));
        Assert.Contains("f:revisionHistoryLimit", Fields(result, "kubectl-create", "Update"));
        // Oldest first among Update entries.
        Assert.Equal(["kubectl-create", "kubectl-scale"], Entries(result).Select(e => (string)e!["manager"]!).ToArray());
    }

    [Fact]
    public void ANoOpUpdateKeepsEntriesAndTimes()
    {
        var created = ManagedFields.Update(null, Obj(CreatedDeployment), Deployment, "kubectl-create", "apps/v1", T0);
        var same = created.DeepClone().AsObject();
        var result = ManagedFields.Update(created, same, Deployment, "kubectl-replace", "apps/v1", T0.AddHours(1));
        Assert.Equal(Entries(created).ToJsonString(), Entries(result).ToJsonString());
    }

    [Fact]
    public void RemovingAFieldRemovesItFromItsOwner()
    {
        var created = ManagedFields.Update(null, Obj(CreatedDeployment), Deployment, "kubectl-create", "apps/v1", T0);
        var edited = created.DeepClone().AsObject();
        edited["metadata"]!.AsObject().Remove("labels");
        var result = ManagedFields.Update(created, edited, Deployment, "kubectl-edit", "apps/v1", T0.AddMinutes(1));

        var owned = FieldSet.ParseFieldsV1(Fields(result, "kubectl-create", "Update"));
        Assert.False(owned.Has(FieldPath.Of("metadata", "labels", "app")));
        Assert.False(owned.Has(FieldPath.Of("metadata", "labels")));
        Assert.True(owned.Has(FieldPath.Of("spec", "template", "metadata", "labels", "app")));
        Assert.DoesNotContain(Entries(result), e => (string)e!["manager"]! == "kubectl-edit");
    }

    [Fact]
    public void ObjectsWhoseManagedFieldsWereClearedAreNotTrackedOnUpdate()
    {
        var live = Obj("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","uid":"u1"},"data":{"a":"1"}}""");
        var updated = Obj("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","uid":"u1"},"data":{"a":"2"}}""");
        var result = ManagedFields.Update(live, updated, SchemaExtensions.Find("io.k8s.api.core.v1.ConfigMap")!, "kubectl-edit", "v1", T0);
        Assert.Null(result["metadata"]!["managedFields"]);
    }

    [Fact]
    public void MoreThanTenUpdateManagersFoldIntoAncientChanges()
    {
        var schema = SchemaExtensions.Find("io.k8s.api.core.v1.ConfigMap")!;
        var obj = ManagedFields.Update(null, Obj("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k0":"v"}}"""), schema, "m00", "v1", T0);
        for (var i = 1; i <= 11; i++)
        {
            var next = obj.DeepClone().AsObject();
            next["metadata"]!["uid"] = "u";
            next["data"]![$"k{i}"] = "v";
            obj = ManagedFields.Update(obj, next, schema, $"m{i:00}", "v1", T0.AddMinutes(i));
        }
        var managers = Entries(obj).Select(e => (string)e!["manager"]!).ToList();
        Assert.Equal(10, managers.Count);
        Assert.Equal("ancient-changes", managers[0]);
        Assert.Equal("""{"f:data":{".":{},"f:k0":{},"f:k1":{},"f:k2":{}}}""", Fields(obj, "ancient-changes", "Update"));
    }

    [Theory]
    [InlineData("kubectl-create", "kubectl/v1.36.0 (linux/amd64) kubernetes/abc", "kubectl-create")]
    [InlineData(null, "kubectl/v1.36.0 (linux/amd64) kubernetes/abc", "kubectl")]
    [InlineData("", "kube-controller-manager/v1.36.0 (linux/amd64) kubernetes/abc/system:serviceaccount:kube-system:deployment-controller", "kube-controller-manager")]
    [InlineData(null, "curl\u0007/8.0", "curl")]
    [InlineData(null, null, "")]
    public void TheManagerComesFromTheRequestOrTheUserAgent(string? fieldManager, string? userAgent, string expected) =>
        Assert.Equal(expected, ManagedFields.ManagerOrUserAgent(fieldManager, userAgent));
}
