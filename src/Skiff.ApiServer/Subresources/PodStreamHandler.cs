using Microsoft.AspNetCore.Http;
using Skiff.Api.Meta;
using Skiff.ApiServer.Errors;
using Skiff.ApiServer.Kubelet;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Routing;
using Skiff.ApiServer.Serialization;

namespace Skiff.ApiServer.Subresources;

/// <summary>
/// pods/exec, pods/attach and pods/portforward (GET for WebSocket, POST for SPDY): checks the pod and
/// container, then passes the upgraded session through to the kubelet's /exec, /attach or /portForward
/// unchanged (WebSocket v5/v4 channels, kubectl's SPDY-in-WebSocket tunnel, or raw SPDY).
/// </summary>
public sealed class PodStreamHandler(string subresource, ObjectRegistry objects, KubeletLocator kubelets, StreamProxy proxy) : ISubresourceHandler
{
    public GroupResource Resource { get; } = new("", "pods");
    public string Subresource => subresource;

    public async Task HandleAsync(HttpContext ctx, RequestInfo info, ServedResource parent, ApiResourceInfo sub, bool dryRun)
    {
        if (info.Verb is not ("get" or "create")) throw StatusException.MethodNotAllowed("the server does not allow this method on the requested resource");
        var q = ctx.Request.Query;
        var pod = await objects.GetAsync(parent, info.Namespace, info.Name, ctx.RequestAborted);
        var node = PodTargets.NodeOf(pod);
        if (Obj.Str(pod["status"], "phase") is "Succeeded" or "Failed")
            throw StatusException.BadRequest($"cannot {(subresource == "portforward" ? "port-forward to" : $"{subresource} into")} a container in a completed pod; current phase is {Obj.Str(pod["status"], "phase")}");
        var baseUri = await kubelets.BaseUriAsync(node, ctx.RequestAborted);
        string path;
        if (subresource == "portforward")
        {
            path = $"/portForward/{Esc(info.Namespace)}/{Esc(info.Name)}{Query(q, "container")}";
        }
        else
        {
            var container = PodTargets.ContainerOf(pod, q["container"].FirstOrDefault());
            if (subresource == "exec" && q["command"].Count == 0) throw StatusException.BadRequest("you must specify at least one command for the container");
            path = $"/{subresource}/{Esc(info.Namespace)}/{Esc(info.Name)}/{Esc(container)}{Query(q, "container")}";
        }
        await proxy.UpgradeAsync(ctx, new Uri(baseUri, path));
    }

    /// <summary>The request's query without <paramref name="drop"/> (the kubelet has the container in its path).</summary>
    public static string Query(IQueryCollection q, string drop)
    {
        var parts = q.Where(p => p.Key != drop).SelectMany(p => p.Value.Select(v => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(v ?? "")}")).ToList();
        return parts.Count == 0 ? "" : "?" + string.Join("&", parts);
    }

    private static string Esc(string s) => Uri.EscapeDataString(s);
}
