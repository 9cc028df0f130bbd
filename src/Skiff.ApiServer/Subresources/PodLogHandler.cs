using Microsoft.AspNetCore.Http;
using Skiff.Api.Meta;
using Skiff.ApiServer.Errors;
using Skiff.ApiServer.Kubelet;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Routing;

namespace Skiff.ApiServer.Subresources;

/// <summary>
/// GET pods/NAME/log: checks the pod and container, then streams the kubelet's /containerLogs answer back
/// as it arrives (kubectl logs -f), with the options upstream passes on: follow, previous, tailLines,
/// sinceSeconds, sinceTime, timestamps, limitBytes.
/// </summary>
public sealed class PodLogHandler(ObjectRegistry objects, KubeletLocator kubelets, StreamProxy proxy) : ISubresourceHandler
{
    public static readonly string[] PassedOptions = ["follow", "previous", "tailLines", "sinceSeconds", "sinceTime", "timestamps", "limitBytes"];

    public GroupResource Resource { get; } = new("", "pods");
    public string Subresource => "log";

    public async Task HandleAsync(HttpContext ctx, RequestInfo info, ServedResource parent, ApiResourceInfo sub, bool dryRun)
    {
        if (info.Verb != "get") throw StatusException.MethodNotAllowed("the server does not allow this method on the requested resource");
        var q = ctx.Request.Query;
        CheckOptions(q);
        var pod = await objects.GetAsync(parent, info.Namespace, info.Name, ctx.RequestAborted);
        var container = PodTargets.ContainerOf(pod, q["container"].FirstOrDefault());
        var node = PodTargets.NodeOf(pod);
        var baseUri = await kubelets.BaseUriAsync(node, ctx.RequestAborted);
        var target = new Uri(baseUri, $"/containerLogs/{Esc(info.Namespace)}/{Esc(info.Name)}/{Esc(container)}{Query(q)}");
        await proxy.ForwardAsync(ctx, target, passHeaders: false);
    }

    /// <summary>The kubelet's query: only the log options, as given.</summary>
    public static string Query(IQueryCollection q)
    {
        var parts = PassedOptions.Where(o => q[o].Count > 0).Select(o => $"{o}={Uri.EscapeDataString(q[o].ToString())}").ToList();
        return parts.Count == 0 ? "" : "?" + string.Join("&", parts);
    }

    /// <summary>Upstream's validation of PodLogOptions (400 before anything reaches a node).</summary>
    public static void CheckOptions(IQueryCollection q)
    {
        static long? Long(IQueryCollection q, string name)
        {
            if (q[name].Count == 0 || q[name].ToString().Length == 0) return null;
            return long.TryParse(q[name].ToString(), out var n) ? n : throw StatusException.BadRequest($"{name}: Invalid value: \"{q[name]}\": must be an integer");
        }
        if (Long(q, "tailLines") < 0) throw StatusException.BadRequest("tailLines: Invalid value: must be greater than or equal to 0");
        if (Long(q, "limitBytes") < 1) throw StatusException.BadRequest("limitBytes: Invalid value: must be greater than 0");
        if (Long(q, "sinceSeconds") < 1) throw StatusException.BadRequest("sinceSeconds: Invalid value: must be greater than 0");
        if (q["sinceSeconds"].Count > 0 && q["sinceTime"].Count > 0)
            throw StatusException.BadRequest("at most one of `sinceTime` or `sinceSeconds` may be specified");
    }

    private static string Esc(string s) => Uri.EscapeDataString(s);
}
