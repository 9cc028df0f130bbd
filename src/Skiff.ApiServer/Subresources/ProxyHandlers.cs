using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.Api.Meta;
using Skiff.ApiServer.Errors;
using Skiff.ApiServer.Kubelet;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Routing;
using Skiff.ApiServer.Serialization;

namespace Skiff.ApiServer.Subresources;

/// <summary>
/// The proxy subresources: nodes/NAME/proxy/PATH to the node's kubelet (with the API server's client
/// certificate), pods/[SCHEME:]NAME[:PORT]/proxy/PATH to the pod's IP, and
/// services/[SCHEME:]NAME[:PORT]/proxy/PATH to one ready endpoint of the service. Plain HTTP requests
/// only (upgrades are refused); the response streams back as it comes.
/// </summary>
public sealed class ProxyHandler(GroupResource resource, ObjectRegistry objects, ResourceRegistry resources, KubeletLocator kubelets, StreamProxy proxy)
    : ISubresourceHandler
{
    private static readonly HttpClient PodHttp = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false, UseCookies = false, ConnectTimeout = TimeSpan.FromSeconds(10),
        // Pods and services serve their own certificates; upstream does not verify them either.
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    }) { Timeout = Timeout.InfiniteTimeSpan };

    public GroupResource Resource { get; } = resource;
    public string Subresource => "proxy";

    public async Task HandleAsync(HttpContext ctx, RequestInfo info, ServedResource parent, ApiResourceInfo sub, bool dryRun)
    {
        var ct = ctx.RequestAborted;
        var (scheme, name, port) = ParseName(info.Name);
        var rest = "/" + info.Rest + (ctx.Request.Path.Value?.EndsWith('/') == true && info.Rest.Length > 0 ? "/" : "") + ctx.Request.QueryString;
        switch (Resource.Resource)
        {
            case "nodes":
            {
                var baseUri = await kubelets.BaseUriAsync(name, ct);
                if (port.Length > 0) baseUri = new UriBuilder(baseUri) { Port = int.Parse(port) }.Uri;
                await proxy.ForwardAsync(ctx, new Uri(baseUri, rest));
                return;
            }
            case "pods":
            {
                var pod = await objects.GetAsync(parent, info.Namespace, name, ct);
                var ip = Obj.Str(pod["status"], "podIP") is { Length: > 0 } a ? a
                    : throw new StatusException(503, "ServiceUnavailable", $"address not allowed: pod {name} has no IP yet");
                await proxy.ForwardAsync(ctx, Target(scheme, ip, port.Length > 0 ? port : "80", rest), PodHttp);
                return;
            }
            default:
            {
                var service = await objects.GetAsync(parent, info.Namespace, name, ct);
                var (ip, targetPort) = await EndpointAsync(info.Namespace, name, service, port, ct);
                await proxy.ForwardAsync(ctx, Target(scheme, ip, targetPort.ToString(), rest), PodHttp);
                return;
            }
        }
    }

    /// <summary>"https:web:8443" → (https, web, 8443); "web" → (http, web, "").</summary>
    public static (string Scheme, string Name, string Port) ParseName(string id)
    {
        var parts = id.Split(':');
        return parts.Length switch
        {
            1 => ("http", parts[0], ""),
            2 => ("http", parts[0], parts[1]),
            _ => (parts[0].Length > 0 ? parts[0] : "http", parts[1], parts[2]),
        };
    }

    private static Uri Target(string scheme, string ip, string port, string rest)
    {
        var host = ip.Contains(':') ? $"[{ip}]" : ip;
        return new Uri($"{(scheme == "https" ? "https" : "http")}://{host}:{port}{rest}");
    }

    /// <summary>A ready address of the service's Endpoints with the port the service port (by name or number) maps to.</summary>
    private async Task<(string Ip, int Port)> EndpointAsync(string ns, string name, JsonObject service, string portId, CancellationToken ct)
    {
        var ports = (service["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var servicePort = portId.Length == 0 ? ports.FirstOrDefault()
            : ports.FirstOrDefault(p => Obj.Str(p, "name") == portId || p["port"]?.ToString() == portId)
              ?? throw StatusException.BadRequest($"no service port \"{portId}\" found for service \"{name}\"");
        var endpoints = resources.Find("", "v1", "endpoints") is { } r ? await objects.TryGetAsync(r, ns, name, ct) : null;
        foreach (var subset in (endpoints?["subsets"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var address = (subset["addresses"] as JsonArray ?? []).OfType<JsonObject>().Select(a => Obj.Str(a, "ip")).FirstOrDefault(a => a is { Length: > 0 });
            if (address is null) continue;
            var epPorts = (subset["ports"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            var wanted = Obj.Str(servicePort, "name");
            var match = epPorts.FirstOrDefault(p => Obj.Str(p, "name") == wanted) ?? epPorts.FirstOrDefault();
            if (match?["port"]?.GetValue<int>() is { } port) return (address, port);
        }
        throw new StatusException(503, "ServiceUnavailable", $"no endpoints available for service \"{name}\"");
    }
}
