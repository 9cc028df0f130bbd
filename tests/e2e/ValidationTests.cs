namespace Skiff.E2E;

/// <summary>Per-kind validation with upstream's messages, through the real kubectl; nothing invalid is stored.</summary>
public sealed class ValidationTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task ADeploymentWhoseSelectorMissesItsTemplateIsRefused()
    {
        var ns = await f.NamespaceAsync("valid");
        var r = await Kubectl.RunAsync(f.Server, ["apply", "-f", "-"], $$$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: d, namespace: {{{ns}}}}
            spec:
              replicas: -2
              selector: {matchLabels: {app: api}}
              template:
                metadata: {labels: {app: web}}
                spec: {containers: [{name: Web, image: busybox, ports: [{containerPort: 70000}]}]}
            """);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("The Deployment \"d\" is invalid:", r.Stderr);
        Assert.Contains("spec.replicas: Invalid value: -2: must be greater than or equal to 0", r.Stderr);
        Assert.Contains("`selector` does not match template `labels`", r.Stderr);
        Assert.Contains("spec.template.spec.containers[0].name: Invalid value: \"Web\"", r.Stderr);
        Assert.Contains("spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive", r.Stderr);
        Assert.Contains("NotFound", (await Kubectl.RunAsync(f.Server, ["get", "deployment", "d", "-n", ns])).Stderr);
    }

    [Fact]
    public async Task AServiceWithoutPortsAndABadConfigKeyAreRefused()
    {
        var ns = await f.NamespaceAsync("valid2");
        var svc = await Kubectl.RunAsync(f.Server, ["apply", "-f", "-"], $$$"""
            apiVersion: v1
            kind: Service
            metadata: {name: s, namespace: {{{ns}}}}
            spec: {selector: {app: web}}
            """);
        Assert.Contains("spec.ports: Required value", svc.Stderr);
        var cm = await Kubectl.RunAsync(f.Server, ["create", "configmap", "c", "-n", ns, "--from-literal=bad key=v"]);
        Assert.NotEqual(0, cm.ExitCode);
        Assert.Contains("a valid config key must consist of alphanumeric characters", cm.Stderr);
        var cron = await Kubectl.RunAsync(f.Server, ["create", "cronjob", "cj", "-n", ns, "--image=busybox", "--schedule=61 * * * *"]);
        Assert.NotEqual(0, cron.ExitCode);
        Assert.Contains("spec.schedule: Invalid value: \"61 * * * *\"", cron.Stderr);
    }

    [Fact]
    public async Task PatchesHonourFieldValidation()
    {
        var ns = await f.NamespaceAsync("patchval");
        await Kubectl.OkAsync(f.Server, "create", "deployment", "d", "-n", ns, "--image=busybox");
        // kubectl patch sends no directive: the server's default, Warn.
        var warned = await Kubectl.RunAsync(f.Server, ["patch", "deployment", "d", "-n", ns, "--type=merge", "-p", """{"spec":{"foo":1,"minReadySeconds":3}}"""]);
        Assert.Equal(0, warned.ExitCode);
        Assert.Contains("Warning: unknown field \"spec.foo\"", warned.Stderr);
        Assert.Equal("3", await Kubectl.OkAsync(f.Server, "get", "deployment", "d", "-n", ns, "-o", "jsonpath={.spec.minReadySeconds}"));
        Assert.DoesNotContain("foo", await Kubectl.OkAsync(f.Server, "get", "deployment", "d", "-n", ns, "-o", "json"));

        using var api = new ApiClient(f.Server);
        var strict = await api.SendAsync(HttpMethod.Patch, $"/apis/apps/v1/namespaces/{ns}/deployments/d?fieldValidation=Strict",
            """{"spec":{"bar":1,"minReadySeconds":9}}""", "application/merge-patch+json");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, strict.StatusCode);
        Assert.Contains("strict decoding error: unknown field \\\"spec.bar\\\"", await strict.Content.ReadAsStringAsync());
        Assert.Equal("3", await Kubectl.OkAsync(f.Server, "get", "deployment", "d", "-n", ns, "-o", "jsonpath={.spec.minReadySeconds}"));
    }
}
