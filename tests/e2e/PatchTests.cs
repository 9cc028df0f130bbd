using System.Text.Json.Nodes;

namespace Skiff.E2E;

/// <summary>kubectl patch --type json|merge|strategic on a Service's ports, which upstream merges on `port`.</summary>
public sealed class PatchTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    private async Task<string> ServiceAsync(string prefix)
    {
        var ns = await f.NamespaceAsync(prefix);
        await Kubectl.OkWithInputAsync(f.Server, $$$"""
            apiVersion: v1
            kind: Service
            metadata: {name: s, namespace: {{{ns}}}}
            spec:
              selector: {app: web}
              ports:
              - {name: http, port: 80, targetPort: 8080}
              - {name: https, port: 443, targetPort: 8443}
            """, "apply", "-f", "-");
        return ns;
    }

    private async Task<string> PortsAsync(string ns) =>
        await Kubectl.OkAsync(f.Server, "get", "svc", "s", "-n", ns, "-o", "jsonpath={range .spec.ports[*]}{.name}:{.port}>{.targetPort} {end}");

    [Fact]
    public async Task StrategicPatchMergesPortsOnTheirPortNumber()
    {
        var ns = await ServiceAsync("smp");
        await Kubectl.OkAsync(f.Server, "patch", "svc", "s", "-n", ns, "--type=strategic", "-p", """{"spec":{"ports":[{"port":80,"targetPort":9090}]}}""");
        Assert.Equal("http:80>9090 https:443>8443", (await PortsAsync(ns)).Trim());

        // A new port number is added (upstream's element ordering puts items the live list lacks first);
        // $patch: delete removes by the merge key.
        await Kubectl.OkAsync(f.Server, "patch", "svc", "s", "-n", ns, "--type=strategic", "-p", """{"spec":{"ports":[{"name":"metrics","port":9100}]}}""");
        Assert.Equal("metrics:9100>9100 http:80>9090 https:443>8443", (await PortsAsync(ns)).Trim());
        await Kubectl.OkAsync(f.Server, "patch", "svc", "s", "-n", ns, "--type=strategic", "-p", """{"spec":{"ports":[{"port":443,"$patch":"delete"}]}}""");
        Assert.Equal("metrics:9100>9100 http:80>9090", (await PortsAsync(ns)).Trim());
    }

    [Fact]
    public async Task MergePatchReplacesTheWholeList()
    {
        var ns = await ServiceAsync("jmp");
        await Kubectl.OkAsync(f.Server, "patch", "svc", "s", "-n", ns, "--type=merge", "-p", """{"spec":{"ports":[{"name":"only","port":8000}]}}""");
        Assert.Equal("only:8000>8000", (await PortsAsync(ns)).Trim());
    }

    [Fact]
    public async Task JsonPatchEditsByIndexAndItsTestOperationGuards()
    {
        var ns = await ServiceAsync("jp");
        await Kubectl.OkAsync(f.Server, "patch", "svc", "s", "-n", ns, "--type=json", "-p",
            """[{"op":"test","path":"/spec/ports/1/port","value":443},{"op":"replace","path":"/spec/ports/1/targetPort","value":7443},{"op":"add","path":"/metadata/labels","value":{}},{"op":"copy","from":"/spec/ports/0/name","path":"/metadata/labels/first"}]""");
        Assert.Equal("http:80>8080 https:443>7443", (await PortsAsync(ns)).Trim());
        Assert.Equal("http", await Kubectl.OkAsync(f.Server, "get", "svc", "s", "-n", ns, "-o", "jsonpath={.metadata.labels.first}"));

        // A failing test operation changes nothing.
        var failed = await Kubectl.RunAsync(f.Server, ["patch", "svc", "s", "-n", ns, "--type=json", "-p",
            """[{"op":"test","path":"/spec/ports/0/port","value":81},{"op":"remove","path":"/spec/ports/0"}]"""]);
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Equal("http:80>8080 https:443>7443", (await PortsAsync(ns)).Trim());
        var svc = JsonNode.Parse(await Kubectl.OkAsync(f.Server, "get", "svc", "s", "-n", ns, "-o", "json"))!;
        Assert.Equal(2, svc["spec"]!["ports"]!.AsArray().Count);
    }
}
