using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Skiff.E2E;

/// <summary>serviceaccounts/token, pods/eviction and pods/ephemeralcontainers.</summary>
public sealed class SubresourceTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    private static async Task<string> WhoAmIAsync(ApiClient api, string token)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, "/apis/authentication.k8s.io/v1/selfsubjectreviews")
        {
            Content = new StringContent("""{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}""", new MediaTypeHeaderValue("application/json")),
        };
        req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var res = await api.Http.SendAsync(req);
        if (res.StatusCode != HttpStatusCode.Created) return $"HTTP {(int)res.StatusCode}";
        using var doc = JsonDocument.Parse(await res.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("status").GetProperty("userInfo").GetProperty("username").GetString()!;
    }

    [Fact]
    public async Task ATokenFromKubectlCreateTokenAuthenticatesUntilTheServiceAccountGoes()
    {
        var ns = await f.NamespaceAsync("token");
        await Kubectl.OkAsync(f.Server, "create", "serviceaccount", "robot", "-n", ns);
        var token = await Kubectl.OkAsync(f.Server, "create", "token", "robot", "-n", ns, "--duration=20m");
        Assert.Equal(3, token.Split('.').Length);

        using var api = new ApiClient(f.Server, clientCertificate: false);
        Assert.Equal($"system:serviceaccount:{ns}:robot", await WhoAmIAsync(api, token));
        Assert.Equal("HTTP 401", await WhoAmIAsync(api, token[..^4] + "AAAA"));

        var tooShort = await Kubectl.RunAsync(f.Server, ["create", "token", "robot", "-n", ns, "--duration=1m"]);
        Assert.NotEqual(0, tooShort.ExitCode);
        Assert.Contains("may not specify a duration less than 10 minutes", tooShort.Stderr);
        var missing = await Kubectl.RunAsync(f.Server, ["create", "token", "nobody", "-n", ns]);
        Assert.Contains("serviceaccounts \"nobody\" not found", missing.Stderr);

        // Deleting the service account revokes its tokens.
        await Kubectl.OkAsync(f.Server, "delete", "serviceaccount", "robot", "-n", ns);
        Assert.Equal("HTTP 401", await WhoAmIAsync(api, token));
    }

    [Fact]
    public async Task ATokenReviewAuthenticatesTokensForTheirAudience()
    {
        var ns = await f.NamespaceAsync("review");
        await Kubectl.OkAsync(f.Server, "create", "serviceaccount", "robot", "-n", ns);
        var apiToken = await Kubectl.OkAsync(f.Server, "create", "token", "robot", "-n", ns);
        var vaultToken = await Kubectl.OkAsync(f.Server, "create", "token", "robot", "-n", ns, "--audience=vault");
        using var api = new ApiClient(f.Server);
        async Task<JsonElement> Review(string token, string? audience = null)
        {
            var spec = audience is null ? $"{{\"token\":\"{token}\"}}" : $"{{\"token\":\"{token}\",\"audiences\":[\"{audience}\"]}}";
            var res = await api.SendAsync(HttpMethod.Post, "/apis/authentication.k8s.io/v1/tokenreviews",
                $"{{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\",\"spec\":{spec}}}");
            Assert.Equal(HttpStatusCode.Created, res.StatusCode);
            return JsonDocument.Parse(await res.Content.ReadAsStringAsync()).RootElement.GetProperty("status").Clone();
        }
        var ok = await Review(apiToken);
        Assert.True(ok.GetProperty("authenticated").GetBoolean());
        Assert.Equal($"system:serviceaccount:{ns}:robot", ok.GetProperty("user").GetProperty("username").GetString());
        Assert.Contains($"system:serviceaccounts:{ns}", ok.GetProperty("user").GetProperty("groups").EnumerateArray().Select(g => g.GetString()));

        // A token for another audience is good only for that audience.
        Assert.False((await Review(vaultToken)).TryGetProperty("authenticated", out var a) && a.GetBoolean());
        Assert.True((await Review(vaultToken, "vault")).GetProperty("authenticated").GetBoolean());
        var bad = await Review("not-a-token");
        Assert.Contains("invalid bearer token", bad.GetProperty("error").GetString());
    }

    [Fact]
    public async Task ATokenBoundToAPodDiesWithThePod()
    {
        var ns = await f.NamespaceAsync("bound");
        await Kubectl.OkAsync(f.Server, "create", "serviceaccount", "robot", "-n", ns);
        await Kubectl.OkAsync(f.Server, "run", "p", "-n", ns, "--image=busybox");
        var token = await Kubectl.OkAsync(f.Server, "create", "token", "robot", "-n", ns, "--bound-object-kind=Pod", "--bound-object-name=p");
        using var api = new ApiClient(f.Server, clientCertificate: false);
        Assert.Equal($"system:serviceaccount:{ns}:robot", await WhoAmIAsync(api, token));
        await Kubectl.OkAsync(f.Server, "delete", "pod", "p", "-n", ns);
        Assert.Equal("HTTP 401", await WhoAmIAsync(api, token));
    }

    private static string Eviction(string name) => """{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"NAME"}}""".Replace("NAME", name);

    private async Task RunningPodAsync(string ns, string name)
    {
        await Kubectl.OkWithInputAsync(f.Server, $$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: {{{name}}}, namespace: {{{ns}}}, labels: {app: web}}
            spec: {containers: [{name: c, image: busybox}]}
            """, "apply", "-f", "-");
        // What a kubelet would report; there is none in this test.
        await Kubectl.OkAsync(f.Server, "patch", "pod", name, "-n", ns, "--subresource=status", "--type=merge", "-p", """{"status":{"phase":"Running"}}""");
    }

    [Fact]
    public async Task EvictionWithoutABudgetOrOfAPendingPodIsADelete()
    {
        var ns = await f.NamespaceAsync("evict");
        using var api = new ApiClient(f.Server);
        await RunningPodAsync(ns, "free");
        var free = await api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods/free/eviction", Eviction("free"));
        Assert.Equal(HttpStatusCode.Created, free.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/pods/free")).StatusCode);

        // A budget that allows nothing does not protect a pod that is not running.
        await Kubectl.OkAsync(f.Server, "create", "pdb", "strict", "-n", ns, "--selector=app=web", "--min-available=5");
        await Kubectl.OkAsync(f.Server, "run", "pending", "-n", ns, "--image=busybox", "--labels=app=web");
        var pending = await api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods/pending/eviction", Eviction("pending"));
        Assert.Equal(HttpStatusCode.Created, pending.StatusCode);

        // A name that does not match the URL is refused.
        await RunningPodAsync(ns, "x");
        var mismatch = await api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods/x/eviction", Eviction("y"));
        Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);
    }

    [Fact]
    public async Task KubectlDebugAddsAnEphemeralContainerAndNothingElseChanges()
    {
        var ns = await f.NamespaceAsync("debug");
        await Kubectl.OkAsync(f.Server, "run", "p", "-n", ns, "--image=busybox");
        await Kubectl.OkAsync(f.Server, "debug", "p", "-n", ns, "--image=busybox:dbg", "--container=dbg");
        Assert.Equal("dbg busybox:dbg", await Kubectl.OkAsync(f.Server, "get", "pod", "p", "-n", ns, "-o",
            "jsonpath={.spec.ephemeralContainers[0].name} {.spec.ephemeralContainers[0].image}"));
        var managers = await Kubectl.OkAsync(f.Server, "get", "pod", "p", "-n", ns, "--show-managed-fields", "-o", "jsonpath={.metadata.managedFields[*].subresource}");
        Assert.Contains("ephemeralcontainers", managers);

        // Changing an existing one through the subresource is refused.
        using var api = new ApiClient(f.Server);
        var res = await api.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/pods/p/ephemeralcontainers",
            """{"spec":{"ephemeralContainers":[{"name":"dbg","image":"other"}]}}""", "application/merge-patch+json");
        Assert.Equal((HttpStatusCode)422, res.StatusCode);
        Assert.Contains("existing ephemeral containers \\\"dbg\\\" may not be changed", await res.Content.ReadAsStringAsync());
    }
}
