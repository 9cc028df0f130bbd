using System.Text.Json;
using Skiff.Api.Meta;

namespace Skiff.E2E;

/// <summary>One server shared by the tests of a class; each test works in its own namespace.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public SkiffServer Server { get; } = new();
    public Task InitializeAsync() => Server.StartAsync();
    public async Task DisposeAsync() => await Server.DisposeAsync();

    private int _ns;
    /// <summary>Creates a fresh namespace for one test.</summary>
    public async Task<string> NamespaceAsync(string prefix)
    {
        var name = $"{prefix}-{Interlocked.Increment(ref _ns)}";
        await Kubectl.OkAsync(Server, "create", "namespace", name);
        return name;
    }
}

public sealed class BasicsTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task FreshClusterHasTheFourSystemNamespaces()
    {
        var output = await Kubectl.OkAsync(f.Server, "get", "ns", "-o", "name");
        var names = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        foreach (var ns in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
            Assert.Contains("namespace/" + ns, names);
        var svc = await Kubectl.OkAsync(f.Server, "get", "svc", "kubernetes", "-n", "default", "-o", "jsonpath={.spec.clusterIP} {.spec.ports[0].port}");
        Assert.Equal("10.43.0.1 443", svc);
    }

    [Fact]
    public async Task KubectlVersionShowsTheServerVersion()
    {
        var output = await Kubectl.OkAsync(f.Server, "version", "-o", "json");
        using var doc = JsonDocument.Parse(output);
        var server = doc.RootElement.GetProperty("serverVersion");
        Assert.Equal("1", server.GetProperty("major").GetString());
        Assert.Equal("36", server.GetProperty("minor").GetString());
        Assert.StartsWith("v1.36.0+skiff", server.GetProperty("gitVersion").GetString());
    }

    [Fact]
    public async Task ApiResourcesListsWhatTheOpenApiDocumentImplies()
    {
        var output = await Kubectl.OkAsync(f.Server, "api-resources", "-o", "wide", "--no-headers");
        var seen = new HashSet<(string Name, string ApiVersion, bool Namespaced, string Kind)>();
        var verbsByName = new Dictionary<(string, string), string>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var cols = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // NAME [SHORTNAMES] APIVERSION NAMESPACED KIND VERBS [CATEGORIES]
            var nsIndex = Array.FindIndex(cols, c => c is "true" or "false");
            var entry = (cols[0], cols[nsIndex - 1], cols[nsIndex] == "true", cols[nsIndex + 1]);
            seen.Add(entry);
            verbsByName[(cols[0], cols[nsIndex - 1])] = cols[nsIndex + 2];
        }
        var expected = BuiltinResources.All
            .Where(r => r.Subresource is null && DefaultApiVersions.IsEnabledByDefault(r.GroupVersion))
            .GroupBy(r => (r.Group, r.Resource))
            .Select(g => g.OrderBy(r => r.Version, VersionOrder.Comparer).First())
            .Select(r => (r.Resource, r.GroupVersion.ApiVersion, r.Namespaced, r.Kind))
            .ToHashSet();
        Assert.Equal(expected.OrderBy(e => e.ToString()), seen.OrderBy(e => e.ToString()));
        Assert.Equal("create,delete,deletecollection,get,list,patch,update,watch", verbsByName[("deployments", "apps/v1")]);
        Assert.Contains(" po ", " " + output.Split('\n').First(l => l.StartsWith("pods ")) + " ");
        Assert.Contains(" deploy ", " " + output.Split('\n').First(l => l.StartsWith("deployments ")) + " ");
    }

    [Fact]
    public async Task ExplainPrintsTheFieldsOfANestedType()
    {
        var output = await Kubectl.OkAsync(f.Server, "explain", "deployment.spec.strategy");
        Assert.Contains("KIND:       Deployment", output);
        Assert.Contains("rollingUpdate", output);
        Assert.Contains("type\t<string>", output);
    }

    [Fact]
    public async Task AnonymousRequestsReachOnlyHealthAndVersion()
    {
        using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true })
        { BaseAddress = new Uri($"https://127.0.0.1:{f.Server.Port}") };
        Assert.Equal("ok", await http.GetStringAsync("/readyz"));
        Assert.Contains("\"gitVersion\"", await http.GetStringAsync("/version"));
        var denied = await http.GetAsync("/api/v1/namespaces");
        Assert.Equal(401, (int)denied.StatusCode);
        Assert.Contains("\"reason\":\"Unauthorized\"", await denied.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TypedCreateCommandsSendProtobufAndWork()
    {
        var ns = await f.NamespaceAsync("typed");
        await Kubectl.OkAsync(f.Server, "create", "configmap", "c1", "-n", ns, "--from-literal=a=1");
        await Kubectl.OkAsync(f.Server, "create", "secret", "generic", "s1", "-n", ns, "--from-literal=pw=hunter2");
        await Kubectl.OkAsync(f.Server, "create", "deployment", "d1", "-n", ns, "--image=nginx:1.27", "--replicas=3");
        await Kubectl.OkAsync(f.Server, "create", "cronjob", "cj1", "-n", ns, "--image=busybox", "--schedule=*/5 * * * *");
        await Kubectl.OkAsync(f.Server, "run", "r1", "-n", ns, "--image=busybox", "--", "sleep", "10");
        Assert.Equal("1", await Kubectl.OkAsync(f.Server, "get", "cm", "c1", "-n", ns, "-o", "jsonpath={.data.a}"));
        Assert.Equal("Opaque aHVudGVyMg==", await Kubectl.OkAsync(f.Server, "get", "secret", "s1", "-n", ns, "-o", "jsonpath={.type} {.data.pw}"));
        Assert.Equal("3 nginx:1.27", await Kubectl.OkAsync(f.Server, "get", "deploy", "d1", "-n", ns, "-o", "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}"));
        Assert.Equal("*/5 * * * *", await Kubectl.OkAsync(f.Server, "get", "cronjob", "cj1", "-n", ns, "-o", "jsonpath={.spec.schedule}"));
        Assert.Equal("sleep 10", await Kubectl.OkAsync(f.Server, "get", "pod", "r1", "-n", ns, "-o", "jsonpath={.spec.containers[0].args[0]} {.spec.containers[0].args[1]}"));
    }

    [Fact]
    public async Task WhoAmIReportsTheAdminUser()
    {
        var output = await Kubectl.OkAsync(f.Server, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username} {.status.userInfo.groups}");
        Assert.StartsWith("system:admin ", output);
        Assert.Contains("system:masters", output);
    }
}
