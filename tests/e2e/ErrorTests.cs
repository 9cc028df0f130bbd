using System.Net;
using System.Text.Json;

namespace Skiff.E2E;

/// <summary>Bad requests get upstream's Status codes and messages, and change nothing.</summary>
public sealed class ErrorTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    private static string ConfigMap(string name, string value, string? rv = null) => Objects.ConfigMap(name, value, rv);

    [Fact]
    public async Task StaleUpdateGets409WithTheUpstreamMessage()
    {
        var ns = await f.NamespaceAsync("stale");
        await Kubectl.OkWithInputAsync(f.Server, ConfigMap("c", "1"), "create", "-n", ns, "-f", "-");
        var rv = await Kubectl.OkAsync(f.Server, "get", "-n", ns, "cm", "c", "-o", "jsonpath={.metadata.resourceVersion}");
        await Kubectl.OkAsync(f.Server, "label", "-n", ns, "cm", "c", "bump=1");
        var r = await Kubectl.RunAsync(f.Server, ["replace", "-n", ns, "-f", "-"], ConfigMap("c", "2", rv));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("Operation cannot be fulfilled on configmaps \"c\": the object has been modified; please apply your changes to the latest version and try again", r.Stderr);
        Assert.Equal("1", await Kubectl.OkAsync(f.Server, "get", "-n", ns, "cm", "c", "-o", "jsonpath={.data.v}"));

        using var api = new ApiClient(f.Server);
        var resp = await api.SendAsync(HttpMethod.Put, $"/api/v1/namespaces/{ns}/configmaps/c", ConfigMap("c", "3", rv));
        Assert.Equal(HttpStatusCode.Conflict, resp.StatusCode);
        using var status = JsonDocument.Parse(await resp.Content.ReadAsStringAsync());
        Assert.Equal("Conflict", status.RootElement.GetProperty("reason").GetString());
        Assert.Equal("configmaps", status.RootElement.GetProperty("details").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task InvalidNameGets422WithAFieldCause()
    {
        var ns = await f.NamespaceAsync("invalid");
        var r = await Kubectl.RunAsync(f.Server, ["create", "-n", ns, "-f", "-"], ConfigMap("Bad_Name", "1"));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("The ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of", r.Stderr);

        using var api = new ApiClient(f.Server);
        var resp = await api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", ConfigMap("Bad_Name", "1"));
        Assert.Equal(422, (int)resp.StatusCode);
        using var status = JsonDocument.Parse(await resp.Content.ReadAsStringAsync());
        Assert.Equal("Invalid", status.RootElement.GetProperty("reason").GetString());
        var cause = status.RootElement.GetProperty("details").GetProperty("causes")[0];
        Assert.Equal("FieldValueInvalid", cause.GetProperty("reason").GetString());
        Assert.Equal("metadata.name", cause.GetProperty("field").GetString());
        Assert.Equal("", await Kubectl.OkAsync(f.Server, "get", "-n", ns, "cm", "-o", "name", "--field-selector=metadata.name!=kube-root-ca.crt"));
    }

    [Fact]
    public async Task MalformedAndOversizedBodiesGet400And413AndTheServerKeepsServing()
    {
        var ns = await f.NamespaceAsync("malformed");
        using var api = new ApiClient(f.Server);
        var bad = await api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x" """);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("\"reason\":\"BadRequest\"", await bad.Content.ReadAsStringAsync());

        var big = ConfigMap("big", new string('a', 3 * 1024 * 1024 + 10));
        var tooLarge = await api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Contains("\"reason\":\"RequestEntityTooLarge\"", await tooLarge.Content.ReadAsStringAsync());

        var wrongKind = await api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, wrongKind.StatusCode);

        var missing = await api.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("configmaps \\\"nope\\\" not found", await missing.Content.ReadAsStringAsync());

        var dup = await api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", ConfigMap("once", "1"));
        Assert.Equal(HttpStatusCode.Created, dup.StatusCode);
        dup = await api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", ConfigMap("once", "2"));
        Assert.Equal(HttpStatusCode.Conflict, dup.StatusCode);
        Assert.Contains("\"reason\":\"AlreadyExists\"", await dup.Content.ReadAsStringAsync());

        var noNs = await api.SendAsync(HttpMethod.Post, "/api/v1/namespaces/does-not-exist/configmaps", ConfigMap("x", "1"));
        Assert.Equal(HttpStatusCode.NotFound, noNs.StatusCode);
        Assert.Contains("namespaces \\\"does-not-exist\\\" not found", await noNs.Content.ReadAsStringAsync());

        // Still serving, and nothing stored was disturbed.
        Assert.Equal("configmap/once", (await Kubectl.OkAsync(f.Server, "get", "-n", ns, "cm", "-o", "name", "--field-selector=metadata.name!=kube-root-ca.crt")).Trim());
        Assert.Equal("1", await Kubectl.OkAsync(f.Server, "get", "-n", ns, "cm", "once", "-o", "jsonpath={.data.v}"));
    }
}
