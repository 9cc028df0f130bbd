using System.Text.Json.Nodes;
using static Skiff.Api.Defaulting.JsonFields;

namespace Skiff.Api.Defaulting;

/// <summary>core/v1 defaults other than the PodSpec's (upstream pkg/apis/core/v1/defaults.go).</summary>
internal static class CoreDefaults
{
    public static void ReplicationController(JsonObject obj)
    {
        var spec = Ensure(obj, "spec");
        // The selector and the object's labels follow the template's labels when left empty.
        if (Child(spec, "template", "metadata")?["labels"] is JsonObject { Count: > 0 } templateLabels)
        {
            if (!IsNonEmptyObject(spec["selector"])) spec["selector"] = templateLabels.DeepClone();
            var metadata = Ensure(obj, "metadata");
            if (!IsNonEmptyObject(metadata["labels"])) metadata["labels"] = templateLabels.DeepClone();
        }
        DefaultPointer(spec, "replicas", 1);
        // RC's template is a pointer upstream: no template, nothing to default.
        PodSpecDefaults.ApplyTemplate(Child(spec, "template"));
    }

    public static void PodTemplate(JsonObject obj) => PodSpecDefaults.ApplyTemplate(Ensure(obj, "template"));

    public static void Service(JsonObject obj)
    {
        var spec = Ensure(obj, "spec");
        DefaultString(spec, "sessionAffinity", "None");
        var affinity = String(spec, "sessionAffinity");
        if (affinity == "None")
            spec.Remove("sessionAffinityConfig");
        else if (affinity == "ClientIP" && Child(spec, "sessionAffinityConfig", "clientIP")?["timeoutSeconds"] is null)
        {
            // Three hours, the longest a client sticks to one endpoint unless told otherwise.
            spec["sessionAffinityConfig"] = new JsonObject { ["clientIP"] = new JsonObject { ["timeoutSeconds"] = 10800 } };
        }
        DefaultString(spec, "type", "ClusterIP");
        foreach (var port in Items(spec, "ports"))
        {
            DefaultString(port, "protocol", "TCP");
            var target = port["targetPort"];
            if (IsZeroNumber(target) || IsEmptyString(target)) port["targetPort"] = port["port"] is { } number ? number.DeepClone() : 0;
        }
        var type = String(spec, "type");
        var externallyAccessible = type is "LoadBalancer" or "NodePort" || (type == "ClusterIP" && IsNonEmptyArray(spec["externalIPs"]));
        if (externallyAccessible) DefaultString(spec, "externalTrafficPolicy", "Cluster");
        if (type is "ClusterIP" or "NodePort" or "LoadBalancer") DefaultPointer(spec, "internalTrafficPolicy", "Cluster");
        if (type == "LoadBalancer")
        {
            DefaultPointer(spec, "allocateLoadBalancerNodePorts", true);
            foreach (var ingress in Items(Child(obj, "status", "loadBalancer"), "ingress"))
                if (!IsEmptyString(ingress["ip"])) DefaultPointer(ingress, "ipMode", "VIP");
        }
    }

    public static void Secret(JsonObject obj) => DefaultString(obj, "type", "Opaque");

    public static void Namespace(JsonObject obj)
    {
        // Every named namespace carries its own name as a label, always overwritten so selectors can trust it.
        var metadata = Ensure(obj, "metadata");
        if (String(metadata, "name") is { Length: > 0 } name)
            Ensure(metadata, "labels")["kubernetes.io/metadata.name"] = name;
        DefaultString(Ensure(obj, "status"), "phase", "Active");
    }

    public static void Node(JsonObject obj)
    {
        // A node that reports only capacity can allocate all of it.
        if (Child(obj, "status") is { } status && status["allocatable"] is null && status["capacity"] is JsonObject capacity)
            status["allocatable"] = capacity.DeepClone();
    }

    public static void Endpoints(JsonObject obj)
    {
        foreach (var subset in Items(obj, "subsets"))
            foreach (var port in Items(subset, "ports"))
                DefaultString(port, "protocol", "TCP");
    }

    public static void LimitRange(JsonObject obj)
    {
        foreach (var item in Items(Child(obj, "spec"), "limits"))
        {
            if (String(item, "type") != "Container") continue;
            var limits = item["default"] as JsonObject ?? new JsonObject();
            var requests = item["defaultRequest"] as JsonObject ?? new JsonObject();
            // Limit defaults to max; request defaults to the limit, else to min.
            CopyMissing(item["max"] as JsonObject, limits);
            CopyMissing(limits, requests);
            CopyMissing(item["min"] as JsonObject, requests);
            // Empty maps are omitted on the wire, as upstream's omitempty would.
            if (limits.Count > 0 && limits.Parent is null) item["default"] = limits;
            if (requests.Count > 0 && requests.Parent is null) item["defaultRequest"] = requests;
        }
    }

    private static void CopyMissing(JsonObject? from, JsonObject to)
    {
        if (from is null) return;
        foreach (var (name, value) in from)
            if (!to.ContainsKey(name)) to[name] = value?.DeepClone();
    }
}
