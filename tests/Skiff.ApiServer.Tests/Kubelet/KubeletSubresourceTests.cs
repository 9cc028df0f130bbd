using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Skiff.ApiServer.Errors;
using Skiff.ApiServer.Kubelet;
using Skiff.ApiServer.Subresources;

namespace Skiff.ApiServer.Tests.Kubelet;

public sealed class KubeletSubresourceTests
{
    private static JsonObject Pod(string? node = "node-1", params string[] containers) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = "shop" },
        ["spec"] = new JsonObject
        {
            ["nodeName"] = node,
            ["containers"] = new JsonArray(containers.Select(c => (JsonNode)new JsonObject { ["name"] = c }).ToArray()),
            ["initContainers"] = new JsonArray(new JsonObject { ["name"] = "setup" }),
        },
    };

    [Fact]
    public void The_only_container_is_the_default_and_others_must_be_named()
    {
        Assert.Equal("main", PodTargets.ContainerOf(Pod(containers: "main"), null));
        Assert.Equal("setup", PodTargets.ContainerOf(Pod(containers: ["a", "b"]), "setup"));
        var none = Assert.Throws<StatusException>(() => PodTargets.ContainerOf(Pod(containers: ["a", "b"]), null));
        Assert.Equal(400, none.Code);
        Assert.Equal("a container name must be specified for pod web, choose one of: [a b] or one of the init containers: [setup]", none.Message);
        Assert.Equal("container c is not valid for pod web", Assert.Throws<StatusException>(() => PodTargets.ContainerOf(Pod(containers: "a"), "c")).Message);
    }

    [Fact]
    public void An_unscheduled_pod_has_no_host()
    {
        var e = Assert.Throws<StatusException>(() => PodTargets.NodeOf(Pod(node: null, "a")));
        Assert.Equal("pod web does not have a host assigned", e.Message);
    }

    [Fact]
    public void The_kubelet_is_found_by_address_type_and_daemon_endpoint()
    {
        var node = JsonNode.Parse("""
            {"metadata":{"name":"n1"},"status":{"addresses":[{"type":"Hostname","address":"n1"},{"type":"InternalIP","address":"10.0.0.5"}],
             "daemonEndpoints":{"kubeletEndpoint":{"Port":12345}}}}
            """)!.AsObject();
        Assert.Equal(new Uri("https://10.0.0.5:12345"), KubeletLocator.BaseUri(node));
        var bare = JsonNode.Parse("""{"metadata":{"name":"n1"},"status":{"addresses":[{"type":"InternalIP","address":"fd00::5"}]}}""")!.AsObject();
        Assert.Equal(new Uri("https://[fd00::5]:10250"), KubeletLocator.BaseUri(bare));
        Assert.Equal(400, Assert.Throws<StatusException>(() => KubeletLocator.BaseUri(JsonNode.Parse("""{"metadata":{"name":"n"}}""")!.AsObject())).Code);
    }

    private static IQueryCollection Query(params (string, string)[] pairs) =>
        new QueryCollection(pairs.GroupBy(p => p.Item1).ToDictionary(g => g.Key, g => new StringValues(g.Select(p => p.Item2).ToArray())));

    [Fact]
    public void Log_options_are_checked_and_passed_on()
    {
        Assert.Equal("?follow=true&tailLines=10&timestamps=true", PodLogHandler.Query(Query(("follow", "true"), ("tailLines", "10"), ("timestamps", "true"), ("container", "c"))));
        Assert.Equal("?sinceTime=2026-01-01T00%3A00%3A00Z", PodLogHandler.Query(Query(("sinceTime", "2026-01-01T00:00:00Z"))));
        Assert.Throws<StatusException>(() => PodLogHandler.CheckOptions(Query(("tailLines", "-1"))));
        Assert.Throws<StatusException>(() => PodLogHandler.CheckOptions(Query(("limitBytes", "0"))));
        Assert.Throws<StatusException>(() => PodLogHandler.CheckOptions(Query(("sinceSeconds", "x"))));
        Assert.Throws<StatusException>(() => PodLogHandler.CheckOptions(Query(("sinceSeconds", "5"), ("sinceTime", "2026-01-01T00:00:00Z"))));
        PodLogHandler.CheckOptions(Query(("sinceSeconds", "5"), ("limitBytes", "1"), ("tailLines", "0")));
    }

    [Fact]
    public void Exec_queries_keep_repeated_commands_and_drop_the_container()
    {
        Assert.Equal("?command=sh&command=-c&command=echo%20hi&stdin=true",
            PodStreamHandler.Query(Query(("command", "sh"), ("command", "-c"), ("command", "echo hi"), ("container", "main"), ("stdin", "true")), "container"));
    }

    [Theory]
    [InlineData("web", "http", "web", "")]
    [InlineData("web:8080", "http", "web", "8080")]
    [InlineData("https:web:8443", "https", "web", "8443")]
    [InlineData("https:web:", "https", "web", "")]
    public void Proxy_names_carry_scheme_and_port(string id, string scheme, string name, string port) =>
        Assert.Equal((scheme, name, port), ProxyHandler.ParseName(id));
}
