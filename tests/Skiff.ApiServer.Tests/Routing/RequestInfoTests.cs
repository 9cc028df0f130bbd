using Skiff.ApiServer.Routing;

namespace Skiff.ApiServer.Tests.Routing;

public sealed class RequestInfoTests
{
    [Theory]
    [InlineData("GET", "/api/v1/namespaces/ns1/pods/p1", false, "get", "", "v1", "ns1", "pods", "p1", "")]
    [InlineData("GET", "/api/v1/namespaces/ns1/pods", false, "list", "", "v1", "ns1", "pods", "", "")]
    [InlineData("GET", "/api/v1/namespaces/ns1/pods", true, "watch", "", "v1", "ns1", "pods", "", "")]
    [InlineData("GET", "/api/v1/pods", false, "list", "", "v1", "", "pods", "", "")]
    [InlineData("GET", "/apis/apps/v1/watch/namespaces/ns1/deployments", false, "watch", "apps", "v1", "ns1", "deployments", "", "")]
    [InlineData("GET", "/apis/apps/v1/watch/namespaces/ns1/deployments/d", false, "watch", "apps", "v1", "ns1", "deployments", "d", "")]
    [InlineData("POST", "/apis/apps/v1/namespaces/ns1/deployments", false, "create", "apps", "v1", "ns1", "deployments", "", "")]
    [InlineData("PUT", "/apis/apps/v1/namespaces/ns1/deployments/d/status", false, "update", "apps", "v1", "ns1", "deployments", "d", "status")]
    [InlineData("PATCH", "/apis/apps/v1/namespaces/ns1/deployments/d/scale", false, "patch", "apps", "v1", "ns1", "deployments", "d", "scale")]
    [InlineData("DELETE", "/api/v1/namespaces/ns1/configmaps", false, "deletecollection", "", "v1", "ns1", "configmaps", "", "")]
    [InlineData("DELETE", "/api/v1/namespaces/ns1", false, "delete", "", "v1", "", "namespaces", "ns1", "")]
    [InlineData("GET", "/api/v1/namespaces", false, "list", "", "v1", "", "namespaces", "", "")]
    [InlineData("PUT", "/api/v1/namespaces/ns1/finalize", false, "update", "", "v1", "", "namespaces", "ns1", "finalize")]
    [InlineData("GET", "/api/v1/namespaces/ns1/status", false, "get", "", "v1", "", "namespaces", "ns1", "status")]
    [InlineData("GET", "/api/v1/nodes/n1", false, "get", "", "v1", "", "nodes", "n1", "")]
    public void ParsesResourcePaths(string method, string path, bool watch, string verb, string group, string version, string ns, string resource, string name, string sub)
    {
        var info = RequestInfo.Parse(method, path, watch);
        Assert.True(info.IsResourceRequest);
        Assert.Equal((verb, group, version, ns, resource, name, sub),
            (info.Verb, info.Group, info.Version, info.Namespace, info.Resource, info.Name, info.Subresource));
    }

    [Fact]
    public void KeepsTheRestOfProxyPaths()
    {
        var info = RequestInfo.Parse("GET", "/api/v1/namespaces/ns/pods/p/proxy/a/b", false);
        Assert.Equal(("proxy", "a/b"), (info.Subresource, info.Rest));
    }

    [Theory]
    [InlineData("/api")]
    [InlineData("/apis")]
    [InlineData("/apis/apps")]
    [InlineData("/apis/apps/v1")]
    [InlineData("/api/v1")]
    [InlineData("/healthz")]
    public void DiscoveryAndOtherPathsAreNotResourceRequests(string path) =>
        Assert.False(RequestInfo.Parse("GET", path, false).IsResourceRequest);
}
