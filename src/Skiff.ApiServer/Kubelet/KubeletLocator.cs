using System.Text.Json.Nodes;
using Skiff.ApiServer.Errors;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Serialization;

namespace Skiff.ApiServer.Kubelet;

/// <summary>
/// Where a node's kubelet listens, from the Node object as upstream reads it: the first address of the
/// preferred type (InternalIP, ExternalIP, Hostname) and status.daemonEndpoints.kubeletEndpoint.Port
/// (10250 when unset). Stateless; reads the registry on every call.
/// </summary>
public sealed class KubeletLocator(ObjectRegistry objects, ResourceRegistry resources)
{
    public const int DefaultPort = 10250;
    private static readonly string[] PreferredTypes = ["InternalIP", "ExternalIP", "Hostname"];

    public async Task<Uri> BaseUriAsync(string nodeName, CancellationToken ct)
    {
        var nodes = resources.Find("", "v1", "nodes") ?? throw StatusException.Internal("nodes are not served");
        var node = await objects.TryGetAsync(nodes, "", nodeName, ct)
            ?? throw StatusException.NotFound(nodes.GroupResource, nodeName);
        return BaseUri(node);
    }

    /// <summary>https://ADDRESS:PORT of the node's kubelet.</summary>
    public static Uri BaseUri(JsonObject node)
    {
        var status = node["status"] as JsonObject;
        var addresses = (status?["addresses"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(a => (Type: Obj.Str(a, "type") ?? "", Address: Obj.Str(a, "address") ?? "")).Where(a => a.Address.Length > 0).ToList();
        var address = PreferredTypes.Select(t => addresses.FirstOrDefault(a => a.Type == t).Address).FirstOrDefault(a => !string.IsNullOrEmpty(a))
            ?? throw StatusException.BadRequest($"node \"{Obj.Name(node)}\" has no address the API server can use to reach its kubelet");
        var port = status?["daemonEndpoints"]?["kubeletEndpoint"]?["Port"]?.GetValue<int>() is { } p and > 0 ? p : DefaultPort;
        var host = address.Contains(':') ? $"[{address}]" : address;
        return new Uri($"https://{host}:{port}");
    }
}
