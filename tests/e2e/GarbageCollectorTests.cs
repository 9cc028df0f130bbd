namespace Skiff.E2E;

/// <summary>
/// Deletion propagation through the garbage collector: Orphan, Background and Foreground, on
/// objects linked by ownerReferences as a Deployment, its ReplicaSet and their pods are.
/// (The owners and dependents are created by hand here; the workload controllers come later.)
/// </summary>
public sealed class GarbageCollectorTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    private async Task<string> DeploymentAsync(string ns, string name)
    {
        await Kubectl.OkAsync(f.Server, "create", "deployment", name, "-n", ns, "--image=busybox");
        return await Kubectl.OkAsync(f.Server, "get", "deployment", name, "-n", ns, "-o", "jsonpath={.metadata.uid}");
    }

    private async Task<string> OwnedAsync(string ns, string kind, string name, string ownerKind, string ownerName, string ownerUid)
    {
        var apiVersion = kind == "Pod" ? "v1" : "apps/v1";
        var ownerApiVersion = ownerKind == "Deployment" || ownerKind == "ReplicaSet" ? "apps/v1" : "v1";
        var body = kind == "Pod"
            ? "spec: {containers: [{name: c, image: busybox}]}"
            : "spec: {selector: {matchLabels: {app: x}}, template: {metadata: {labels: {app: x}}, spec: {containers: [{name: c, image: busybox}]}}}";
        await Kubectl.OkWithInputAsync(f.Server, $$$"""
            apiVersion: {{{apiVersion}}}
            kind: {{{kind}}}
            metadata:
              name: {{{name}}}
              namespace: {{{ns}}}
              ownerReferences: [{apiVersion: {{{ownerApiVersion}}}, kind: {{{ownerKind}}}, name: {{{ownerName}}}, uid: {{{ownerUid}}}, controller: true, blockOwnerDeletion: true}]
            {{{body}}}
            """, "apply", "-f", "-");
        return await Kubectl.OkAsync(f.Server, "get", kind.ToLowerInvariant(), name, "-n", ns, "-o", "jsonpath={.metadata.uid}");
    }

    private async Task WaitGoneAsync(string ns, string kind, string name)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var r = await Kubectl.RunAsync(f.Server, ["get", kind, name, "-n", ns, "--ignore-not-found", "-o", "name"]);
            if (r.ExitCode == 0 && r.Stdout.Trim().Length == 0) return;
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"{kind}/{name} still exists: {r}");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task CascadeOrphanLeavesTheReplicaSetWithoutItsOwnerReference()
    {
        var ns = await f.NamespaceAsync("gc-orphan");
        var uid = await DeploymentAsync(ns, "web");
        await OwnedAsync(ns, "ReplicaSet", "web-1", "Deployment", "web", uid);

        await Kubectl.OkAsync(f.Server, "delete", "deployment", "web", "-n", ns, "--cascade=orphan");
        Assert.Contains("NotFound", (await Kubectl.RunAsync(f.Server, ["get", "deployment", "web", "-n", ns])).Stderr);
        Assert.Equal("web-1", await Kubectl.OkAsync(f.Server, "get", "rs", "web-1", "-n", ns, "-o", "jsonpath={.metadata.name}"));
        Assert.Equal("", await Kubectl.OkAsync(f.Server, "get", "rs", "web-1", "-n", ns, "-o", "jsonpath={.metadata.ownerReferences}"));
    }

    [Fact]
    public async Task BackgroundDeletionRemovesTheWholeChainAfterTheOwner()
    {
        var ns = await f.NamespaceAsync("gc-bg");
        var uid = await DeploymentAsync(ns, "web");
        var rsUid = await OwnedAsync(ns, "ReplicaSet", "web-1", "Deployment", "web", uid);
        await OwnedAsync(ns, "Pod", "web-1-a", "ReplicaSet", "web-1", rsUid);
        // A pod with a second, living owner is only released, not deleted.
        var keeper = await DeploymentAsync(ns, "keeper");
        await Kubectl.OkWithInputAsync(f.Server, $$$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: shared
              namespace: {{{ns}}}
              ownerReferences:
              - {apiVersion: apps/v1, kind: ReplicaSet, name: web-1, uid: {{{rsUid}}}}
              - {apiVersion: apps/v1, kind: Deployment, name: keeper, uid: {{{keeper}}}}
            spec: {containers: [{name: c, image: busybox}]}
            """, "apply", "-f", "-");

        await Kubectl.OkAsync(f.Server, "delete", "deployment", "web", "-n", ns);
        await WaitGoneAsync(ns, "rs", "web-1");
        await WaitGoneAsync(ns, "pod", "web-1-a");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string owners;
        while ((owners = await Kubectl.OkAsync(f.Server, "get", "pod", "shared", "-n", ns, "-o", "jsonpath={.metadata.ownerReferences[*].name}")) != "keeper")
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"shared pod still owned by {owners}");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task ForegroundDeletionDeletesDependentsFirstAsWatchesShow()
    {
        var ns = await f.NamespaceAsync("gc-fg");
        var uid = await DeploymentAsync(ns, "web");
        await OwnedAsync(ns, "ReplicaSet", "web-1", "Deployment", "web", uid);
        const string events = "jsonpath={.type} {.object.metadata.name} {.object.metadata.resourceVersion} {.object.metadata.finalizers}{\"\\n\"}";
        using var rsWatch = WatchedCommand.Start(f.Server, "get", "rs", "-n", ns, "-w", "--output-watch-events", "-o", events);
        using var deployWatch = WatchedCommand.Start(f.Server, "get", "deployment", "-n", ns, "-w", "--output-watch-events", "-o", events);
        await rsWatch.WaitForLineAsync(l => l.StartsWith("ADDED web-1"));
        await deployWatch.WaitForLineAsync(l => l.StartsWith("ADDED web"));

        await Kubectl.OkAsync(f.Server, "delete", "deployment", "web", "-n", ns, "--cascade=foreground");

        // The owner is first marked (foregroundDeletion), then its dependent goes, then the owner.
        static long Rv(string line) => long.Parse(line.Split(' ')[2]);
        var marked = await deployWatch.WaitForLineAsync(l => l.StartsWith("MODIFIED web ") && l.Contains("foregroundDeletion"));
        var rsGone = await rsWatch.WaitForLineAsync(l => l.StartsWith("DELETED web-1"));
        var ownerGone = await deployWatch.WaitForLineAsync(l => l.StartsWith("DELETED web "));
        Assert.True(Rv(marked) < Rv(rsGone), $"{marked} / {rsGone}");
        Assert.True(Rv(rsGone) < Rv(ownerGone), $"{rsGone} / {ownerGone}");
    }

    [Fact]
    public async Task ADependentWhoseOwnerNeverExistedIsCollected()
    {
        var ns = await f.NamespaceAsync("gc-dangling");
        var created = await Kubectl.OkWithInputAsync(f.Server, $$$"""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: stray
              namespace: {{{ns}}}
              ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: ghost, uid: 00000000-0000-0000-0000-000000000001}]
            """, "create", "-f", "-");
        Assert.Contains("configmap/stray created", created);
        await WaitGoneAsync(ns, "configmap", "stray");
    }
}
