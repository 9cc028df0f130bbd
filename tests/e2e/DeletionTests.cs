using System.Net;
using System.Text.Json;

namespace Skiff.E2E;

/// <summary>Upstream's delete semantics: graceful pods, finalizers, preconditions, the answer's shape, immutable fields.</summary>
public sealed class DeletionTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task ABoundPodIsDeletedGracefullyAndForceDeletionRemovesIt()
    {
        var ns = await f.NamespaceAsync("grace");
        await Kubectl.OkWithInputAsync(f.Server, $$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: p, namespace: {{ns}}}
            spec:
              nodeName: node-that-runs-nothing
              terminationGracePeriodSeconds: 45
              containers: [{name: c, image: busybox}]
            """, "apply", "-f", "-");
        await Kubectl.OkAsync(f.Server, "delete", "pod", "p", "-n", ns, "--wait=false");
        // Still there, marked: a kubelet would now stop it and then remove it with grace 0.
        Assert.Equal("45", await Kubectl.OkAsync(f.Server, "get", "pod", "p", "-n", ns, "-o", "jsonpath={.metadata.deletionGracePeriodSeconds}"));
        var ts = DateTimeOffset.Parse(await Kubectl.OkAsync(f.Server, "get", "pod", "p", "-n", ns, "-o", "jsonpath={.metadata.deletionTimestamp}"));
        Assert.True(ts > DateTimeOffset.UtcNow.AddSeconds(30), $"deletionTimestamp {ts} should be about 45 s ahead");

        await Kubectl.OkAsync(f.Server, "delete", "pod", "p", "-n", ns, "--grace-period=0", "--force");
        var get = await Kubectl.RunAsync(f.Server, ["get", "pod", "p", "-n", ns]);
        Assert.Contains("NotFound", get.Stderr);
    }

    [Fact]
    public async Task AnUnscheduledPodGoesAtOnce()
    {
        var ns = await f.NamespaceAsync("grace0");
        await Kubectl.OkAsync(f.Server, "run", "p", "-n", ns, "--image=busybox");
        using var api = new ApiClient(f.Server);
        var res = await api.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/pods/p");
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        // Pods answer with the deleted pod (upstream's ReturnDeletedObject).
        using var body = JsonDocument.Parse(await res.Content.ReadAsStringAsync());
        Assert.Equal("Pod", body.RootElement.GetProperty("kind").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await api.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/pods/p")).StatusCode);
    }

    [Fact]
    public async Task DeletingAConfigMapAnswersASuccessStatusNamingIt()
    {
        var ns = await f.NamespaceAsync("delstatus");
        await Kubectl.OkAsync(f.Server, "create", "configmap", "c", "-n", ns, "--from-literal=a=b");
        var uid = await Kubectl.OkAsync(f.Server, "get", "configmap", "c", "-n", ns, "-o", "jsonpath={.metadata.uid}");
        using var api = new ApiClient(f.Server);
        // A wrong uid precondition refuses and keeps the object.
        var refused = await api.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/configmaps/c", """{"preconditions":{"uid":"not-it"}}""");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("Precondition failed: UID in precondition: not-it", await refused.Content.ReadAsStringAsync());

        var res = await api.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/configmaps/c", $"{{\"preconditions\":{{\"uid\":\"{uid}\"}}}}");
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        using var status = JsonDocument.Parse(await res.Content.ReadAsStringAsync());
        Assert.Equal("Status", status.RootElement.GetProperty("kind").GetString());
        Assert.Equal("Success", status.RootElement.GetProperty("status").GetString());
        var details = status.RootElement.GetProperty("details");
        Assert.Equal("c", details.GetProperty("name").GetString());
        Assert.Equal("configmaps", details.GetProperty("kind").GetString());
        Assert.Equal(uid, details.GetProperty("uid").GetString());
    }

    [Fact]
    public async Task FinalizersHoldAnObjectAndNoNewOnesMayBeAddedWhileItIsGoing()
    {
        var ns = await f.NamespaceAsync("final");
        await Kubectl.OkWithInputAsync(f.Server, $$"""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: held, namespace: {{ns}}, finalizers: [example.com/hold]}
            """, "apply", "-f", "-");
        await Kubectl.OkAsync(f.Server, "delete", "configmap", "held", "-n", ns, "--wait=false");
        Assert.NotEmpty(await Kubectl.OkAsync(f.Server, "get", "configmap", "held", "-n", ns, "-o", "jsonpath={.metadata.deletionTimestamp}"));

        var add = await Kubectl.RunAsync(f.Server, ["patch", "configmap", "held", "-n", ns, "--type=json",
            "-p", """[{"op":"add","path":"/metadata/finalizers/-","value":"example.com/more"}]"""]);
        Assert.NotEqual(0, add.ExitCode);
        Assert.Contains("no new finalizers can be added if the object is being deleted", add.Stderr);

        await Kubectl.OkAsync(f.Server, "patch", "configmap", "held", "-n", ns, "--type=merge", "-p", """{"metadata":{"finalizers":null}}""");
        var get = await Kubectl.RunAsync(f.Server, ["get", "configmap", "held", "-n", ns]);
        Assert.Contains("NotFound", get.Stderr);
    }

    [Fact]
    public async Task ImmutableFieldsAreRefusedWith422AndNothingChanges()
    {
        var ns = await f.NamespaceAsync("immut");
        await Kubectl.OkAsync(f.Server, "create", "deployment", "d", "-n", ns, "--image=busybox");
        var patch = await Kubectl.RunAsync(f.Server, ["patch", "deployment", "d", "-n", ns, "--type=merge",
            "-p", """{"spec":{"selector":{"matchLabels":{"app":"other"}},"template":{"metadata":{"labels":{"app":"other"}}}}}"""]);
        Assert.NotEqual(0, patch.ExitCode);
        Assert.Contains("spec.selector: Invalid value", patch.Stderr);
        Assert.Contains("field is immutable", patch.Stderr);
        Assert.Equal("d", await Kubectl.OkAsync(f.Server, "get", "deployment", "d", "-n", ns, "-o", "jsonpath={.spec.selector.matchLabels.app}"));

        await Kubectl.OkAsync(f.Server, "run", "p", "-n", ns, "--image=busybox");
        await Kubectl.OkAsync(f.Server, "set", "image", "pod/p", "p=busybox:2", "-n", ns);
        var env = await Kubectl.RunAsync(f.Server, ["set", "env", "pod/p", "A=1", "-n", ns]);
        Assert.NotEqual(0, env.ExitCode);
        Assert.Contains("pod updates may not change fields other than", env.Stderr);
        Assert.Equal("busybox:2", await Kubectl.OkAsync(f.Server, "get", "pod", "p", "-n", ns, "-o", "jsonpath={.spec.containers[0].image}"));
    }
}
