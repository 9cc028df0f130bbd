namespace Skiff.E2E;

/// <summary>kubectl apply (client-side and server-side), field validation and scale against the real kubectl.</summary>
public sealed class ApplyTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    private static string Deployment(int replicas, string image = "nginx:1.25") => $$$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: ssa}
        spec:
          replicas: {{{replicas}}}
          selector: {matchLabels: {app: ssa}}
          template:
            metadata: {labels: {app: ssa}}
            spec:
              containers: [{name: c, image: "{{{image}}}"}]
        """;

    [Fact]
    public async Task ServerSideApplyConflictsNameTheOwnerAndForceTakesOwnership()
    {
        var ns = await f.NamespaceAsync("ssa");
        Assert.Contains("serverside-applied", await Kubectl.OkWithInputAsync(f.Server, Deployment(2), "apply", "-n", ns, "--server-side", "--field-manager=alice", "-f", "-"));
        var conflict = await Kubectl.RunAsync(f.Server, ["apply", "-n", ns, "--server-side", "--field-manager=bob", "-f", "-"], Deployment(3));
        Assert.NotEqual(0, conflict.ExitCode);
        Assert.Contains("Apply failed with 1 conflict: conflict with \"alice\": .spec.replicas", conflict.Stderr);
        Assert.Equal("2", await Kubectl.OkAsync(f.Server, "get", "-n", ns, "deploy", "ssa", "-o", "jsonpath={.spec.replicas}"));

        await Kubectl.OkWithInputAsync(f.Server, Deployment(3), "apply", "-n", ns, "--server-side", "--field-manager=bob", "--force-conflicts", "-f", "-");
        Assert.Equal("3", await Kubectl.OkAsync(f.Server, "get", "-n", ns, "deploy", "ssa", "-o", "jsonpath={.spec.replicas}"));
        var managers = await Kubectl.OkAsync(f.Server, "get", "-n", ns, "deploy", "ssa", "--show-managed-fields",
            "-o", "jsonpath={range .metadata.managedFields[*]}{.manager}/{.operation} {end}");
        Assert.Contains("alice/Apply", managers);
        Assert.Contains("bob/Apply", managers);
    }

    [Fact]
    public async Task ClientSideApplyIsUnchangedTheSecondTimeAndFollowsAChangedImage()
    {
        var ns = await f.NamespaceAsync("csa");
        Assert.Contains("deployment.apps/ssa created", await Kubectl.OkWithInputAsync(f.Server, Deployment(2), "apply", "-n", ns, "-f", "-"));
        Assert.Contains("deployment.apps/ssa unchanged", await Kubectl.OkWithInputAsync(f.Server, Deployment(2), "apply", "-n", ns, "-f", "-"));
        Assert.Contains("deployment.apps/ssa configured", await Kubectl.OkWithInputAsync(f.Server, Deployment(2, "nginx:1.27"), "apply", "-n", ns, "-f", "-"));
        Assert.Equal("nginx:1.27 2", await Kubectl.OkAsync(f.Server, "get", "-n", ns, "deploy", "ssa", "-o", "jsonpath={.spec.template.spec.containers[0].image} {.metadata.generation}"));
        // Upstream's defaults are there, as kubectl get -o yaml shows them on a real cluster.
        Assert.Equal("RollingUpdate 25% Always", await Kubectl.OkAsync(f.Server, "get", "-n", ns, "deploy", "ssa", "-o",
            "jsonpath={.spec.strategy.type} {.spec.strategy.rollingUpdate.maxSurge} {.spec.template.spec.restartPolicy}"));
    }

    [Fact]
    public async Task UnknownFieldsFailStrictValidationAndArePrunedOtherwise()
    {
        var ns = await f.NamespaceAsync("fields");
        const string bad = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"u"},"dta":{"a":"1"}}""";
        var strict = await Kubectl.RunAsync(f.Server, ["create", "-n", ns, "-f", "-"], bad);
        Assert.NotEqual(0, strict.ExitCode);
        Assert.Contains("ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: unknown field \"dta\"", strict.Stderr);
        await Kubectl.OkWithInputAsync(f.Server, bad, "create", "-n", ns, "--validate=false", "-f", "-");
        var stored = await Kubectl.OkAsync(f.Server, "get", "-n", ns, "cm", "u", "-o", "json");
        Assert.DoesNotContain("dta", stored);
    }

    [Fact]
    public async Task DryRunStoresNothing()
    {
        var ns = await f.NamespaceAsync("dry");
        var output = await Kubectl.OkWithInputAsync(f.Server, Deployment(1), "create", "-n", ns, "--dry-run=server", "-f", "-");
        Assert.Contains("deployment.apps/ssa created (server dry run)", output);
        Assert.Equal("", (await Kubectl.OkAsync(f.Server, "get", "-n", ns, "deploy", "-o", "name")).Trim());
    }

    [Fact]
    public async Task ScaleChangesReplicasThroughTheScaleSubresource()
    {
        var ns = await f.NamespaceAsync("scale");
        await Kubectl.OkWithInputAsync(f.Server, Deployment(1), "create", "-n", ns, "-f", "-");
        Assert.Contains("deployment.apps/ssa scaled", await Kubectl.OkAsync(f.Server, "scale", "-n", ns, "deploy", "ssa", "--replicas=4"));
        Assert.Equal("4", await Kubectl.OkAsync(f.Server, "get", "-n", ns, "deploy", "ssa", "-o", "jsonpath={.spec.replicas}"));
        // The write is recorded as kubectl's, through the scale subresource, owning spec.replicas.
        var entry = await Kubectl.OkAsync(f.Server, "get", "-n", ns, "deploy", "ssa", "--show-managed-fields", "-o",
            "jsonpath={.metadata.managedFields[?(@.subresource==\"scale\")].manager} {.metadata.managedFields[?(@.subresource==\"scale\")].fieldsV1}");
        Assert.StartsWith("kubectl", entry);
        Assert.Contains("\"f:replicas\"", entry);
    }
}
