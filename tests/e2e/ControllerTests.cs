namespace Skiff.E2E;

/// <summary>The small controllers every namespace relies on: the default ServiceAccount, kube-root-ca.crt, PDB status.</summary>
public sealed class ControllerTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    private async Task<string> EventuallyAsync(Func<Task<CommandResult>> read, Func<CommandResult, bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var r = await read();
            if (done(r)) return r.Stdout.Trim();
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"{what}: last {r}");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task ANewNamespaceGetsADefaultServiceAccountAndTheRootCa()
    {
        var ns = await f.NamespaceAsync("ctl");
        await EventuallyAsync(() => Kubectl.RunAsync(f.Server, ["get", "serviceaccount", "default", "-n", ns, "-o", "name"]),
            r => r.ExitCode == 0, "default service account");
        var ca = await EventuallyAsync(() => Kubectl.RunAsync(f.Server, ["get", "configmap", "kube-root-ca.crt", "-n", ns, "-o", "jsonpath={.data.ca\\.crt}"]),
            r => r.ExitCode == 0 && r.Stdout.Contains("BEGIN CERTIFICATE"), "kube-root-ca.crt");
        // It is the CA the kubeconfig trusts.
        var kubeconfigCa = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(
            await Kubectl.OkAsync(f.Server, "config", "view", "--raw", "-o", "jsonpath={.clusters[0].cluster.certificate-authority-data}")));
        Assert.Equal(kubeconfigCa.Trim(), ca.Trim());

        // Deleted, both come back.
        await Kubectl.OkAsync(f.Server, "delete", "serviceaccount", "default", "-n", ns);
        await Kubectl.OkAsync(f.Server, "delete", "configmap", "kube-root-ca.crt", "-n", ns);
        await EventuallyAsync(() => Kubectl.RunAsync(f.Server, ["get", "serviceaccount", "default", "-n", ns, "-o", "name"]),
            r => r.ExitCode == 0, "default service account re-created");
        await EventuallyAsync(() => Kubectl.RunAsync(f.Server, ["get", "configmap", "kube-root-ca.crt", "-n", ns, "-o", "name"]),
            r => r.ExitCode == 0, "kube-root-ca.crt re-created");
    }

    [Fact]
    public async Task ABudgetsStatusFollowsItsReadyPodsAndEvictionUsesIt()
    {
        var ns = await f.NamespaceAsync("pdb");
        foreach (var name in new[] { "a", "b" })
        {
            await Kubectl.OkWithInputAsync(f.Server, $$$"""
                apiVersion: v1
                kind: Pod
                metadata: {name: {{{name}}}, namespace: {{{ns}}}, labels: {app: web}}
                spec: {containers: [{name: c, image: busybox}]}
                """, "apply", "-f", "-");
            // What a kubelet reports for a running, ready pod.
            await Kubectl.OkAsync(f.Server, "patch", "pod", name, "-n", ns, "--subresource=status", "--type=merge",
                "-p", """{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}""");
        }
        await Kubectl.OkAsync(f.Server, "create", "pdb", "web", "-n", ns, "--selector=app=web", "--min-available=1");
        await EventuallyAsync(() => Kubectl.RunAsync(f.Server, ["get", "pdb", "web", "-n", ns, "-o", "jsonpath={.status.currentHealthy}/{.status.disruptionsAllowed}"]),
            r => r.Stdout.Trim() == "2/1", "pdb status 2 healthy, 1 allowed");

        using var api = new ApiClient(f.Server);
        const string eviction = """{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"NAME"}}""";
        var first = await api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods/a/eviction", eviction.Replace("NAME", "a"));
        Assert.Equal(System.Net.HttpStatusCode.Created, first.StatusCode);
        // The budget is used up: the second pod must stay.
        await EventuallyAsync(() => Kubectl.RunAsync(f.Server, ["get", "pdb", "web", "-n", ns, "-o", "jsonpath={.status.currentHealthy}/{.status.disruptionsAllowed}"]),
            r => r.Stdout.Trim() == "1/0", "pdb status 1 healthy, 0 allowed");
        var second = await api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods/b/eviction", eviction.Replace("NAME", "b"));
        Assert.Equal((System.Net.HttpStatusCode)429, second.StatusCode);
        var refusal = await second.Content.ReadAsStringAsync();
        Assert.Contains("Cannot evict pod as it would violate the pod's disruption budget.", refusal);
        Assert.Contains("The disruption budget web needs 1 healthy pods and has 1 currently", refusal);
        Assert.Equal("Running", await Kubectl.OkAsync(f.Server, "get", "pod", "b", "-n", ns, "-o", "jsonpath={.status.phase}"));
    }
}
