using System.Diagnostics;
using System.Text;

namespace Skiff.E2E;

/// <summary>The everyday kubectl verbs on ordinary manifests (objects are only stored; nothing runs them).</summary>
public sealed class ManifestTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    private const string Manifests = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          labels: {app: web}
        spec:
          replicas: 2
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - name: web
                image: nginx:1.25
                ports: [{containerPort: 80}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          selector: {app: web}
          ports: [{port: 80, targetPort: 80, protocol: TCP}]
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: cfg}
        data: {a: "1", b: two}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: sec}
        type: Opaque
        stringData: {password: hunter2}
        ---
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: cj}
        spec:
          schedule: "*/5 * * * *"
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: OnFailure
                  containers: [{name: c, image: busybox, command: [date]}]
        """;

    [Fact]
    public async Task CreateGetReplaceLabelAnnotateDelete()
    {
        var ns = await f.NamespaceAsync("manifests");
        var created = await Kubectl.OkWithInputAsync(f.Server, Manifests, "create", "-n", ns, "-f", "-");
        Assert.Contains("deployment.apps/web created", created);
        Assert.Contains("service/web created", created);
        Assert.Contains("configmap/cfg created", created);
        Assert.Contains("secret/sec created", created);
        Assert.Contains("cronjob.batch/cj created", created);

        var yaml = await Kubectl.OkAsync(f.Server, "get", "-n", ns, "deploy", "web", "-o", "yaml");
        Assert.Contains("image: nginx:1.25", yaml);
        Assert.Contains("generation: 1", yaml);
        Assert.Contains($"namespace: {ns}", yaml);
        Assert.Matches("uid: [0-9a-f-]{36}", yaml);
        Assert.Matches("creationTimestamp: \"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\"", yaml);

        var clusterIp = await Kubectl.OkAsync(f.Server, "get", "-n", ns, "svc", "web", "-o", "jsonpath={.spec.clusterIP}");
        Assert.Matches(@"^10\.43\.\d+\.\d+$", clusterIp);
        Assert.NotEqual("10.43.0.1", clusterIp);

        // Secrets keep stringData only as data.
        var secret = await Kubectl.OkAsync(f.Server, "get", "-n", ns, "secret", "sec", "-o", "jsonpath={.data.password}|{.stringData}");
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes("hunter2")) + "|", secret);

        var table = await Kubectl.OkAsync(f.Server, "get", "-n", ns, "deploy,svc,cm,secret,cronjob");
        Assert.Contains("deployment.apps/web", table);
        Assert.Contains("READY", table);
        Assert.Contains("*/5 * * * *", table);

        await Kubectl.OkAsync(f.Server, "label", "-n", ns, "cm", "cfg", "env=prod");
        await Kubectl.OkAsync(f.Server, "annotate", "-n", ns, "cm", "cfg", "note=hello");
        var cm = await Kubectl.OkAsync(f.Server, "get", "-n", ns, "cm", "cfg", "-o", "jsonpath={.metadata.labels.env} {.metadata.annotations.note}");
        Assert.Equal("prod hello", cm);
        Assert.Contains("cfg", await Kubectl.OkAsync(f.Server, "get", "-n", ns, "cm", "-l", "env=prod", "-o", "name"));
        Assert.DoesNotContain("cfg", await Kubectl.OkAsync(f.Server, "get", "-n", ns, "cm", "-l", "env=dev", "-o", "name"));

        var current = await Kubectl.OkAsync(f.Server, "get", "-n", ns, "cm", "cfg", "-o", "yaml");
        var replaced = await Kubectl.OkWithInputAsync(f.Server, current.Replace("b: two", "b: three"), "replace", "-f", "-");
        Assert.Contains("configmap/cfg replaced", replaced);
        Assert.Equal("three", await Kubectl.OkAsync(f.Server, "get", "-n", ns, "cm", "cfg", "-o", "jsonpath={.data.b}"));
    }

    [Fact]
    public async Task DeleteRemovesWhatCreateMade()
    {
        var ns = await f.NamespaceAsync("delete");
        await Kubectl.OkWithInputAsync(f.Server, Manifests, "create", "-n", ns, "-f", "-");
        var output = await Kubectl.OkWithInputAsync(f.Server, Manifests, "delete", "-n", ns, "-f", "-");
        Assert.Contains("deployment.apps \"web\" deleted", output);
        Assert.Contains("cronjob.batch \"cj\" deleted", output);
        // (kube-root-ca.crt is the root CA publisher's, in every namespace.)
        var left = await Kubectl.OkAsync(f.Server, "get", "-n", ns, "deploy,svc,cm,secret,cronjob", "-o", "name", "--field-selector=metadata.name!=kube-root-ca.crt");
        Assert.Equal("", left.Trim());
        var missing = await Kubectl.RunAsync(f.Server, ["get", "-n", ns, "cm", "cfg"]);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("configmaps \"cfg\" not found", missing.Stderr);
    }

    [Fact]
    public async Task EditWithAnEditorScriptChangesTheImageAndBumpsGeneration()
    {
        var ns = await f.NamespaceAsync("edit");
        await Kubectl.OkWithInputAsync(f.Server, Manifests, "create", "-n", ns, "-f", "-");
        var editor = Path.Combine(f.Server.DataDir, $"editor-{ns}.sh");
        await File.WriteAllTextAsync(editor, "#!/bin/sh\nsed -i 's/image: nginx:1.25/image: nginx:1.26/' \"$1\"\n");
        File.SetUnixFileMode(editor, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var r = await Kubectl.RunAsync(f.Server, ["edit", "-n", ns, "deploy", "web"], env: new Dictionary<string, string> { ["EDITOR"] = editor });
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("deployment.apps/web edited", r.Stdout);
        var after = await Kubectl.OkAsync(f.Server, "get", "-n", ns, "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image} {.metadata.generation}");
        Assert.Equal("nginx:1.26 2", after);
    }

    [Fact]
    public async Task WatchSeesLaterChanges()
    {
        var ns = await f.NamespaceAsync("watch");
        await Kubectl.OkWithInputAsync(f.Server, ConfigMap("w1", "1"), "create", "-n", ns, "-f", "-");
        using var watch = WatchedCommand.Start(f.Server, "get", "-n", ns, "cm", "-w", "--output-watch-events");
        await watch.WaitForLineAsync(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^ADDED\s+w1\s"));
        await Kubectl.OkWithInputAsync(f.Server, ConfigMap("w2", "2"), "create", "-n", ns, "-f", "-");
        await watch.WaitForLineAsync(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^ADDED\s+w2\s"));
        await Kubectl.OkAsync(f.Server, "label", "-n", ns, "cm", "w1", "seen=yes");
        await watch.WaitForLineAsync(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^MODIFIED\s+w1\s"));
        await Kubectl.OkAsync(f.Server, "delete", "-n", ns, "cm", "w2");
        await watch.WaitForLineAsync(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^DELETED\s+w2\s"));
    }

    private static string ConfigMap(string name, string value) => Objects.ConfigMap(name, value);
}

/// <summary>Deleting a namespace deletes what is in it, refuses new content meanwhile, and protects the system namespaces.</summary>
public sealed class NamespaceDeletionTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task DeletingANamespaceRemovesItsContentsThenItself()
    {
        var ns = await f.NamespaceAsync("doomed");
        using var api = new ApiClient(f.Server);
        for (var i = 0; i < 50; i++)
        {
            var r = await api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", Objects.ConfigMap($"c{i}", "x"));
            Assert.Equal(System.Net.HttpStatusCode.Created, r.StatusCode);
        }
        var deleted = await Kubectl.OkAsync(f.Server, "delete", "ns", ns, "--timeout=60s");
        Assert.Contains($"namespace \"{ns}\" deleted", deleted);
        var gone = await Kubectl.RunAsync(f.Server, ["get", "ns", ns]);
        Assert.Contains($"namespaces \"{ns}\" not found", gone.Stderr);
        Assert.Equal("", (await Kubectl.OkAsync(f.Server, "get", "cm", "-n", ns, "-o", "name")).Trim());
    }

    [Theory]
    [InlineData("default")]
    [InlineData("kube-system")]
    [InlineData("kube-public")]
    public async Task SystemNamespacesMayNotBeDeleted(string ns)
    {
        var r = await Kubectl.RunAsync(f.Server, ["delete", "ns", ns]);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains($"namespaces \"{ns}\" is forbidden: this namespace may not be deleted", r.Stderr);
    }
}
