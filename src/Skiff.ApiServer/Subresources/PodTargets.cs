using System.Text.Json.Nodes;
using Skiff.ApiServer.Errors;
using Skiff.ApiServer.Serialization;

namespace Skiff.ApiServer.Subresources;

/// <summary>Upstream's checks before a pod subresource reaches the kubelet: the pod has a node, the container exists. Stateless.</summary>
public static class PodTargets
{
    /// <summary>The node the pod is bound to; 400 as upstream when it has none.</summary>
    public static string NodeOf(JsonObject pod) =>
        Obj.Str(pod["spec"], "nodeName") is { Length: > 0 } node ? node
            : throw StatusException.BadRequest($"pod {Obj.Name(pod)} does not have a host assigned");

    /// <summary>
    /// The container a request means: the one named (which must be in the pod), or the pod's only container.
    /// Init and ephemeral containers count as upstream counts them.
    /// </summary>
    public static string ContainerOf(JsonObject pod, string? requested)
    {
        var names = Names(pod["spec"]?["containers"]);
        var all = names.Concat(Names(pod["spec"]?["initContainers"])).Concat(Names(pod["spec"]?["ephemeralContainers"])).ToList();
        var name = Obj.Name(pod);
        if (string.IsNullOrEmpty(requested))
        {
            if (names.Count == 1) return names[0];
            var init = Names(pod["spec"]?["initContainers"]);
            var choices = $"[{string.Join(" ", names)}]" + (init.Count > 0 ? $" or one of the init containers: [{string.Join(" ", init)}]" : "");
            throw StatusException.BadRequest($"a container name must be specified for pod {name}, choose one of: {choices}");
        }
        if (!all.Contains(requested))
            throw StatusException.BadRequest($"container {requested} is not valid for pod {name}");
        return requested;
    }

    private static List<string> Names(JsonNode? list) =>
        (list as JsonArray ?? []).Select(c => Obj.Str(c, "name")).Where(n => n is not null).Select(n => n!).ToList();
}
