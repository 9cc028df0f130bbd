using System.Text.Json.Nodes;
using Skiff.Api.FieldManagement;
using static Skiff.Api.Tests.FieldManagement.ManagedFieldsTests;

namespace Skiff.Api.Tests.FieldManagement;

public sealed class ServerSideApplyTests
{
    private static string Config(int replicas, string image = "nginx:1.27", string labels = """ "app":"web" """) => """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default","labels":{LABELS}},
         "spec":{"replicas":REPLICAS,"selector":{"matchLabels":{"app":"web"}},
           "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"IMAGE"}]}}}}
        """.Replace("LABELS", labels).Replace("REPLICAS", replicas.ToString()).Replace("IMAGE", image);

    private static JsonObject Apply(JsonObject? live, string config, string manager, bool force = false, int minute = 0)
    {
        var result = ServerSideApply.Apply(live, Obj(config), Deployment, manager, "apps/v1", force, T0.AddMinutes(minute));
        Assert.True(result.Succeeded, result.Conflicts?.Message);
        var stored = result.Object!;
        stored["metadata"]!["uid"] ??= "uid-1"; // what the registry adds on create
        return stored;
    }

    [Fact]
    public void ApplyCreatesTheObjectAndOwnsWhatItApplied()
    {
        var obj = Apply(null, Config(2), "kubectl");

        Assert.Equal(2, (int)obj["spec"]!["replicas"]!);
        var entry = Entry(obj, "kubectl", "Apply");
        Assert.Equal("apps/v1", (string)entry["apiVersion"]!);
        Assert.Equal("2026-11-22T06:00:00Z", (string)entry["time"]!);
        Assert.Equal(
            """{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},"f:selector":{},"f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:name":{}}}}}}}""",
            Fields(obj, "kubectl", "Apply"));
    }

    [Fact]
    public void ASecondManagerChangingReplicasConflictsAndForceTakesOwnership()
    {
        var obj = Apply(null, Config(2), "kubectl");

        var failed = ServerSideApply.Apply(obj, Obj(Config(5)), Deployment, "other", "apps/v1", force: false, T0.AddMinutes(1));
        Assert.False(failed.Succeeded);
        Assert.Equal("""Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas""", failed.Conflicts!.Message);
        var status = failed.Conflicts.ToStatus();
        Assert.Equal(409, (int)status["code"]!);
        Assert.Equal("Conflict", (string)status["reason"]!);
        Assert.Equal("""[{"reason":"FieldManagerConflict","message":"conflict with \u0022kubectl\u0022","field":".spec.replicas"}]""",
            status["details"]!["causes"]!.ToJsonString());

        var forced = Apply(obj, Config(5), "other", force: true, minute: 1);
        Assert.Equal(5, (int)forced["spec"]!["replicas"]!);
        Assert.Equal(["kubectl", "other"], Entries(forced).Select(e => (string)e!["manager"]!).ToArray());
        Assert.DoesNotContain("f:replicas", Fields(forced, "kubectl", "Apply"));
        Assert.Contains("f:replicas", Fields(forced, "other", "Apply"));
        // Fields both apply with the same value are shared, not conflicts.
        Assert.Contains("f:image", Fields(forced, "kubectl", "Apply"));
        Assert.Contains("f:image", Fields(forced, "other", "Apply"));
    }

    [Fact]
    public void ConflictsWithAnUpdaterNameItsApiVersionAndListEveryField()
    {
        var created = ManagedFields.Update(null, Obj(Config(2)), Deployment, "kubectl-client-side-apply", "apps/v1", T0);
        created["metadata"]!["uid"] = "uid-1";

        var one = ServerSideApply.Apply(created, Obj(Config(3)), Deployment, "kubectl", "apps/v1", false, T0);
        Assert.Equal("""Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas""", one.Conflicts!.Message);
        Assert.Equal("conflict with \"kubectl-client-side-apply\" using apps/v1", (string)one.Conflicts.ToStatus()["details"]!["causes"]![0]!["message"]!);

        var two = ServerSideApply.Apply(created, Obj(Config(3, "nginx:2")), Deployment, "kubectl", "apps/v1", false, T0);
        Assert.Equal("""
            Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:
            - .spec.replicas
            - .spec.template.spec.containers[name="nginx"].image
            """.ReplaceLineEndings("\n"), two.Conflicts!.Message);
    }

    [Fact]
    public void AManagerThatStopsApplyingALabelRemovesIt()
    {
        var obj = Apply(null, Config(2, labels: """ "app":"web","tier":"front" """), "kubectl");
        Assert.Equal("front", (string)obj["metadata"]!["labels"]!["tier"]!);

        var next = Apply(obj, Config(2), "kubectl", minute: 1);
        Assert.Null(next["metadata"]!["labels"]!["tier"]);
        Assert.Equal("web", (string)next["metadata"]!["labels"]!["app"]!);
        Assert.DoesNotContain("f:tier", Fields(next, "kubectl", "Apply"));
    }

    [Fact]
    public void ALabelAnotherManagerAlsoAppliesStays()
    {
        var obj = Apply(null, Config(2, labels: """ "app":"web","tier":"front" """), "kubectl");
        obj = Apply(obj, """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"tier":"front"}}}""", "helm", minute: 1);

        var next = Apply(obj, Config(2), "kubectl", minute: 2);
        Assert.Equal("front", (string)next["metadata"]!["labels"]!["tier"]!);
        Assert.Contains("f:tier", Fields(next, "helm", "Apply"));
    }

    [Fact]
    public void AFieldAnUpdaterChangedIsNotRemovedWhenTheApplierDropsIt()
    {
        var obj = Apply(null, Config(2), "kubectl");
        var scaled = obj.DeepClone().AsObject();
        scaled["spec"]!["replicas"] = 7;
        obj = ManagedFields.Update(obj, scaled, Deployment, "kube-controller-manager", "apps/v1", T0.AddMinutes(1));
        Assert.Contains("f:replicas", Fields(obj, "kube-controller-manager", "Update"));
        Assert.DoesNotContain("f:replicas", Fields(obj, "kubectl", "Apply"));

        // The applier no longer sets replicas: the updater's value stays.
        var without = Obj(Config(2));
        without["spec"]!.AsObject().Remove("replicas");
        var result = ServerSideApply.Apply(obj, without, Deployment, "kubectl", "apps/v1", false, T0.AddMinutes(2));
        Assert.True(result.Succeeded);
        Assert.Equal(7, (int)result.Object!["spec"]!["replicas"]!);
    }

    [Fact]
    public void MapListsMergeByKeyAndDroppedItemsGo()
    {
        var obj = Apply(null, Config(2), "kubectl");
        var sidecar = """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
             "spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"envoy","ports":[{"containerPort":9901}]}]}}}}
            """;
        obj = Apply(obj, sidecar, "mesh", minute: 1);
        var containers = obj["spec"]!["template"]!["spec"]!["containers"]!.AsArray();
        Assert.Equal(["nginx", "sidecar"], containers.Select(c => (string)c!["name"]!).ToArray());
        Assert.Contains("""k:{\"containerPort\":9901,\"protocol\":\"TCP\"}""", Fields(obj, "mesh", "Apply"));

        var none = """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"}}""";
        obj = Apply(obj, none, "mesh", minute: 2);
        Assert.Equal(["nginx"], obj["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Select(c => (string)c!["name"]!).ToArray());
        Assert.DoesNotContain(Entries(obj), e => (string)e!["manager"]! == "mesh");
    }

    [Fact]
    public void ReapplyingTheSameConfigChangesNothing()
    {
        var obj = Apply(null, Config(2), "kubectl");
        var again = Apply(obj, Config(2), "kubectl", minute: 5);
        Assert.True(JsonNode.DeepEquals(obj, again));
    }

    [Fact]
    public void ManagedFieldsInTheConfigAreRejected()
    {
        var config = Obj(Config(1));
        config["metadata"]!["managedFields"] = new JsonArray(new JsonObject { ["manager"] = "x" });
        var e = Assert.Throws<ApplyException>(() => ServerSideApply.Apply(null, config, Deployment, "kubectl", "apps/v1", false, T0));
        Assert.Equal("metadata.managedFields must be nil", e.Message);
    }

    [Fact]
    public void IgnoredFieldsAreNeitherOwnedNorConflicting()
    {
        var config = Obj(Config(1));
        config["status"] = new JsonObject { ["replicas"] = 9 };
        var result = ServerSideApply.Apply(null, config, Deployment, "kubectl", "apps/v1", false, T0, ignoredFields: FieldSet.Of(FieldPath.Of("status")));
        Assert.DoesNotContain("f:status", FieldSet.FromFieldsV1(Entry(result.Object!, "kubectl", "Apply")["fieldsV1"]).ToFieldsV1Json());
    }
    [Fact]
    public void KubectlTakesOverFromClientSideApplyWithoutConflictsAndKeepsTheAnnotationCurrent()
    {
        var csa = Obj(Config(2));
        csa["metadata"]!["annotations"] = new JsonObject { [ServerSideApply.LastAppliedAnnotation] = Config(2).ReplaceLineEndings("") };
        var live = ManagedFields.Update(null, csa, Deployment, "kubectl-client-side-apply", "apps/v1", T0);
        live["metadata"]!["uid"] = "uid-1";

        var other = ServerSideApply.Apply(live, Obj(Config(3)), Deployment, "someone-else", "apps/v1", false, T0);
        Assert.False(other.Succeeded);

        var result = ServerSideApply.Apply(live, Obj(Config(3)), Deployment, "kubectl", "apps/v1", false, T0.AddMinutes(1));
        Assert.True(result.Succeeded, result.Conflicts?.Message);
        Assert.Equal(3, (int)result.Object!["spec"]!["replicas"]!);
        var annotation = (string)result.Object["metadata"]!["annotations"]![ServerSideApply.LastAppliedAnnotation]!;
        Assert.StartsWith("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"app":"web"},"name":"web","namespace":"default"},"spec":{"replicas":3,""", annotation);
        Assert.EndsWith("\n", annotation);
        Assert.Contains("f:replicas", Fields(result.Object, "kubectl", "Apply"));
    }

    [Fact]
    public void SetListsUnionAndEachApplierOwnsItsValues()
    {
        var first = """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","finalizers":["a.io/x"]}}""";
        var second = """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","finalizers":["b.io/y"]}}""";
        var obj = Apply(null, first, "one");
        obj = Apply(obj, second, "two", minute: 1);
        Assert.Equal("""["a.io/x","b.io/y"]""", obj["metadata"]!["finalizers"]!.ToJsonString());
        Assert.Equal("""{"f:metadata":{"f:finalizers":{"v:\"b.io/y\"":{}}}}""", Fields(obj, "two", "Apply"));
    }

    [Fact]
    public void DuplicateKeysInTheConfigAreRejected()
    {
        var config = Obj(Config(1));
        config["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Add(new JsonObject { ["name"] = "nginx", ["image"] = "x" });
        Assert.Throws<ApplyException>(() => ServerSideApply.Apply(null, config, Deployment, "kubectl", "apps/v1", false, T0));
    }
    [Theory]
    [InlineData("""["b","c"]""", """["a","b","c"]""")]
    [InlineData("""["c","b"]""", """["a","c","b"]""")]
    [InlineData("""["b","a"]""", """["b","a"]""")]
    public void MergedMapListsKeepUpstreamsOrder(string applied, string expected)
    {
        static string Containers(string names) => """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[""" +
            string.Join(",", JsonNode.Parse(names)!.AsArray().Select(n => $$"""{"name":"{{n}}","image":"i"}""")) + "]}}";
        var pod = Skiff.Api.Schema.SchemaExtensions.Find("io.k8s.api.core.v1.Pod");
        var live = ServerSideApply.Apply(null, Obj(Containers("""["a","b"]""")), pod, "one", "v1", false, T0).Object!;
        var result = ServerSideApply.Apply(live, Obj(Containers(applied)), pod, "two", "v1", false, T0).Object!;
        var names = new JsonArray(result["spec"]!["containers"]!.AsArray().Select(c => (JsonNode)JsonValue.Create((string)c!["name"]!)!).ToArray());
        Assert.Equal(expected, names.ToJsonString());
    }

    [Fact]
    public void KindsWithoutASchemaAreDeduced()
    {
        var config = """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"size":1,"tags":["a"]}}""";
        var result = ServerSideApply.Apply(null, Obj(config), null, "tool", "example.com/v1", false, T0).Object!;
        Assert.Equal("""{"f:spec":{".":{},"f:size":{},"f:tags":{}}}""", Fields(result, "tool", "Apply"));
    }
}
