using System.Net;
using System.Text.Json;

namespace Skiff.E2E;

/// <summary>pods/binding assigns a pod to a node once, as a scheduler does.</summary>
public sealed class BindingTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task BindingAssignsTheNodeOnceAndMarksThePodScheduled()
    {
        var ns = await f.NamespaceAsync("bind");
        await Kubectl.OkAsync(f.Server, "run", "p", "-n", ns, "--image=busybox");
        using var api = new ApiClient(f.Server);
        const string binding = """{"apiVersion":"v1","kind":"Binding","metadata":{"name":"p"},"target":{"apiVersion":"v1","kind":"Node","name":"node-a"}}""";
        var first = await api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods/p/binding", binding);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal("node-a", await Kubectl.OkAsync(f.Server, "get", "pod", "p", "-n", ns, "-o", "jsonpath={.spec.nodeName}"));
        Assert.Equal("True", await Kubectl.OkAsync(f.Server, "get", "pod", "p", "-n", ns, "-o", "jsonpath={.status.conditions[?(@.type==\"PodScheduled\")].status}"));

        var second = await api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods/p/binding", binding.Replace("node-a", "node-b"));
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        using var status = JsonDocument.Parse(await second.Content.ReadAsStringAsync());
        Assert.Contains("pod p is already assigned to node \"node-a\"", status.RootElement.GetProperty("message").GetString());
        Assert.Equal("node-a", await Kubectl.OkAsync(f.Server, "get", "pod", "p", "-n", ns, "-o", "jsonpath={.spec.nodeName}"));
    }
}
