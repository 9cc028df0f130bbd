using System.Globalization;
using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Tables;

/// <summary>Tables of the core (v1) group other than pods, with upstream's columns and cell formats.</summary>
internal static class CoreTables
{
    public static readonly ITableConvertor Nodes = new TableConvertor(
    [
        Col.Name,
        Col.Str("Status", "Ready or NotReady, plus SchedulingDisabled when cordoned."),
        Col.Str("Roles", "Roles from node-role.kubernetes.io/ labels."),
        Col.Age,
        Col.Str("Version", "Kubelet version."),
        Col.Wide("Internal-IP", "First InternalIP address."),
        Col.Wide("External-IP", "First ExternalIP address."),
        Col.Wide("OS-Image", "Operating system image."),
        Col.Wide("Kernel-Version", "Kernel version."),
        Col.Wide("Container-Runtime", "Container runtime and version."),
    ], (node, now) =>
    {
        var ready = Json.Objs(node, "status", "conditions").FirstOrDefault(c => Json.Str(c, "type") == "Ready");
        var status = new List<string> { ready is null ? "Unknown" : Json.Str(ready, "status") == "True" ? "Ready" : "NotReady" };
        if (Json.Bool(node, "spec", "unschedulable")) status.Add("SchedulingDisabled");
        var info = Json.Obj(node, "status", "nodeInfo");
        return
        [
            Json.Name(node), string.Join(",", status), NodeRoles(node), Json.Age(node, now), Json.Str(info, "kubeletVersion"),
            NodeAddress(node, "InternalIP"), NodeAddress(node, "ExternalIP"),
            OrUnknown(Json.Str(info, "osImage")), OrUnknown(Json.Str(info, "kernelVersion")), OrUnknown(Json.Str(info, "containerRuntimeVersion")),
        ];
    });

    public static readonly ITableConvertor Namespaces = new TableConvertor(
        [Col.Name, Col.Str("Status", "Active or Terminating."), Col.Age],
        (ns, now) => [Json.Name(ns), Json.Str(ns, "status", "phase"), Json.Age(ns, now)]);

    public static readonly ITableConvertor Services = new TableConvertor(
    [
        Col.Name,
        Col.Str("Type", "ClusterIP, NodePort, LoadBalancer or ExternalName."),
        Col.Str("Cluster-IP", "The service's primary cluster IP."),
        Col.Str("External-IP", "External IPs or load balancer ingress points."),
        Col.Str("Port(s)", "Service ports, with node ports when allocated."),
        Col.Age,
        Col.Wide("Selector", "Labels of the pods the service routes to."),
    ], (svc, now) =>
    {
        var spec = Json.Obj(svc, "spec");
        var clusterIp = Json.At(spec, "clusterIPs") is JsonArray { Count: > 0 } ips ? Json.StrOrNull(ips[0]) ?? "<none>" : "<none>";
        var ports = string.Join(",", Json.Objs(spec, "ports").Select(p =>
        {
            var port = Json.Long(p, "port");
            var protocol = Json.Str(p, "protocol");
            var nodePort = Json.Long(p, "nodePort");
            return nodePort > 0 ? $"{port}:{nodePort}/{protocol}" : $"{port}/{protocol}";
        }));
        return
        [
            Json.Name(svc), Json.Str(spec, "type"), clusterIp, ServiceExternalIp(svc), ports.Length == 0 ? "<none>" : ports,
            Json.Age(svc, now), Formats.Labels(Json.Obj(spec, "selector")),
        ];
    });

    public static readonly ITableConvertor Endpoints = new TableConvertor(
        [Col.Name, Col.Str("Endpoints", "Ready addresses with their ports, the first three."), Col.Age],
        (ep, now) => [Json.Name(ep), FormatEndpoints(ep), Json.Age(ep, now)]);

    public static readonly ITableConvertor ConfigMaps = new TableConvertor(
        [Col.Name, Col.Str("Data", "Number of data and binaryData entries."), Col.Age],
        (cm, now) => [Json.Name(cm), (long)(Json.Count(cm, "data") + Json.Count(cm, "binaryData")), Json.Age(cm, now)]);

    public static readonly ITableConvertor Secrets = new TableConvertor(
        [Col.Name, Col.Str("Type", "Secret type."), Col.Str("Data", "Number of data entries."), Col.Age],
        (s, now) => [Json.Name(s), Json.Str(s, "type"), (long)Json.Count(s, "data"), Json.Age(s, now)]);

    public static readonly ITableConvertor ServiceAccounts = new TableConvertor(
        [Col.Name, Col.Str("Secrets", "Number of referenced secrets."), Col.Age],
        (sa, now) => [Json.Name(sa), (long)Json.Count(sa, "secrets"), Json.Age(sa, now)]);

    public static readonly ITableConvertor PersistentVolumes = new TableConvertor(
    [
        Col.Name,
        Col.Str("Capacity", "Storage capacity."),
        Col.Str("Access Modes", "RWO, ROX, RWX, RWOP."),
        Col.Str("Reclaim Policy", "What happens to the volume when released."),
        Col.Str("Status", "Volume phase."),
        Col.Str("Claim", "The bound claim, namespace/name."),
        Col.Str("StorageClass", "Storage class of the volume."),
        Col.Str("VolumeAttributesClass", "Volume attributes class of the volume."),
        Col.Str("Reason", "Why the volume is in its phase."),
        Col.Age,
        Col.Wide("VolumeMode", "Filesystem or Block."),
    ], (pv, now) =>
    {
        var spec = Json.Obj(pv, "spec");
        var claim = Json.Obj(spec, "claimRef") is { } c ? Json.Str(c, "namespace") + "/" + Json.Str(c, "name") : "";
        var phase = Json.Deleting(pv) ? "Terminating" : Json.Str(pv, "status", "phase");
        var storageClass = Json.StrOrNull(pv, "metadata", "annotations", "volume.beta.kubernetes.io/storage-class")
            ?? Json.Str(spec, "storageClassName");
        return
        [
            Json.Name(pv), Json.Quantity(spec, "capacity", "storage"), Formats.AccessModes(Json.At(spec, "accessModes")),
            Json.Str(spec, "persistentVolumeReclaimPolicy"), phase, claim, storageClass,
            Json.StrOrNull(spec, "volumeAttributesClassName") ?? "<unset>", Json.Str(pv, "status", "reason"),
            Json.Age(pv, now), Json.StrOrNull(spec, "volumeMode") ?? "<unset>",
        ];
    });

    public static readonly ITableConvertor PersistentVolumeClaims = new TableConvertor(
    [
        Col.Name,
        Col.Str("Status", "Claim phase."),
        Col.Str("Volume", "The bound volume."),
        Col.Str("Capacity", "Capacity of the bound volume."),
        Col.Str("Access Modes", "Access modes of the bound volume."),
        Col.Str("StorageClass", "Storage class of the claim."),
        Col.Str("VolumeAttributesClass", "Volume attributes class of the claim."),
        Col.Age,
        Col.Wide("VolumeMode", "Filesystem or Block."),
    ], (pvc, now) =>
    {
        var spec = Json.Obj(pvc, "spec");
        var volumeName = Json.Str(spec, "volumeName");
        var bound = volumeName.Length > 0;
        var storageClass = Json.StrOrNull(pvc, "metadata", "annotations", "volume.beta.kubernetes.io/storage-class")
            ?? Json.Str(spec, "storageClassName");
        return
        [
            Json.Name(pvc), Json.Deleting(pvc) ? "Terminating" : Json.Str(pvc, "status", "phase"), volumeName,
            bound ? Json.Quantity(pvc, "status", "capacity", "storage") : "",
            bound ? Formats.AccessModes(Json.At(pvc, "status", "accessModes")) : "",
            storageClass, Json.StrOrNull(spec, "volumeAttributesClassName") ?? "<unset>", Json.Age(pvc, now),
            Json.StrOrNull(spec, "volumeMode") ?? "<unset>",
        ];
    });

    public static readonly ITableConvertor ReplicationControllers = new TableConvertor(
    [
        Col.Name,
        Col.Int("Desired", "Desired number of replicas."),
        Col.Int("Current", "Number of replicas that exist."),
        Col.Int("Ready", "Number of ready replicas."),
        Col.Age, Col.Containers, Col.Images, Col.Selector,
    ], (rc, now) =>
    {
        var (names, images) = Formats.Containers(Json.At(rc, "spec", "template", "spec"));
        return
        [
            Json.Name(rc), Json.LongOrNull(rc, "spec", "replicas") ?? 1, Json.Long(rc, "status", "replicas"),
            Json.Long(rc, "status", "readyReplicas"), Json.Age(rc, now), names, images, Formats.Labels(Json.Obj(rc, "spec", "selector")),
        ];
    });

    public static readonly ITableConvertor PodTemplates = new TableConvertor(
    [
        Col.Name,
        Col.Str("Containers", "Names of the containers in the template."),
        Col.Str("Images", "Images of the containers in the template."),
        Col.Str("Pod Labels", "Labels of the pod template."),
    ], (pt, _) =>
    {
        var (names, images) = Formats.Containers(Json.At(pt, "template", "spec"));
        return [Json.Name(pt), names, images, Formats.Labels(Json.Obj(pt, "template", "metadata", "labels"))];
    });

    public static readonly ITableConvertor ResourceQuotas = new TableConvertor(
    [
        Col.Name,
        Col.Str("Request", "Used and hard amounts of request quotas."),
        Col.Str("Limit", "Used and hard amounts of limits.* quotas."),
        Col.Age,
    ], (rq, now) =>
    {
        var hard = Json.Obj(rq, "status", "hard");
        var requests = new List<string>();
        var limits = new List<string>();
        foreach (var name in (hard?.Select(p => p.Key) ?? []).OrderBy(k => k, StringComparer.Ordinal))
        {
            var text = $"{name}: {Json.Quantity(rq, "status", "used", name)}/{Json.Quantity(hard, name)}";
            (name.Split('.') is { Length: > 1 } pieces && pieces[0] == "limits" ? limits : requests).Add(text);
        }
        return [Json.Name(rq), string.Join(", ", requests), string.Join(", ", limits), Json.Age(rq, now)];
    });

    public static readonly ITableConvertor ComponentStatuses = new TableConvertor(
    [
        Col.Name,
        Col.Str("Status", "Healthy or Unhealthy."),
        Col.Str("Message", "Message of the health condition."),
        Col.Str("Error", "Error of the health condition."),
    ], (cs, _) =>
    {
        var healthy = Json.Objs(cs, "conditions").FirstOrDefault(c => Json.Str(c, "type") == "Healthy");
        var status = healthy is null ? "Unknown" : Json.Str(healthy, "status") == "True" ? "Healthy" : "Unhealthy";
        return [Json.Name(cs), status, Json.Str(healthy, "message"), Json.Str(healthy, "error")];
    });

    private static string NodeRoles(JsonObject node)
    {
        const string rolePrefix = "node-role.kubernetes.io/";
        var roles = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in Json.Obj(node, "metadata", "labels") ?? [])
        {
            if (key.StartsWith(rolePrefix, StringComparison.Ordinal) && key.Length > rolePrefix.Length)
                roles.Add(key[rolePrefix.Length..]);
            else if (key == "kubernetes.io/role" && Json.StrOrNull(value) is { Length: > 0 } role)
                roles.Add(role);
        }
        return roles.Count == 0 ? "<none>" : string.Join(",", roles);
    }

    private static string NodeAddress(JsonObject node, string type) =>
        Json.Objs(node, "status", "addresses").FirstOrDefault(a => Json.Str(a, "type") == type) is { } a ? Json.Str(a, "address") : "<none>";

    private static string OrUnknown(string s) => s.Length == 0 ? "<unknown>" : s;

    /// <summary>Server tables are always wide, so load balancer addresses are not clipped.</summary>
    private static string ServiceExternalIp(JsonObject svc)
    {
        var spec = Json.Obj(svc, "spec");
        var externalIps = Json.At(spec, "externalIPs") is JsonArray a ? a.Select(x => Json.StrOrNull(x) ?? "").ToList() : [];
        switch (Json.Str(spec, "type"))
        {
            case "ClusterIP":
            case "NodePort":
                return externalIps.Count > 0 ? string.Join(",", externalIps) : "<none>";
            case "LoadBalancer":
                var lb = LoadBalancerAddresses(Json.At(svc, "status", "loadBalancer"));
                if (externalIps.Count > 0) return string.Join(",", lb.Concat(externalIps));
                return lb.Count > 0 ? string.Join(",", lb) : "<pending>";
            case "ExternalName":
                return Json.Str(spec, "externalName");
            default:
                return "<unknown>";
        }
    }

    /// <summary>Ingress points (IP, else hostname), de-duplicated and sorted.</summary>
    internal static List<string> LoadBalancerAddresses(JsonNode? loadBalancerStatus) =>
        Json.Objs(loadBalancerStatus, "ingress")
            .Select(i => Json.Str(i, "ip") is { Length: > 0 } ip ? ip : Json.Str(i, "hostname"))
            .Where(s => s.Length > 0).Distinct().OrderBy(s => s, StringComparer.Ordinal).ToList();

    private static string FormatEndpoints(JsonObject ep)
    {
        const int max = 3;
        var subsets = Json.Objs(ep, "subsets").ToList();
        if (subsets.Count == 0) return "<none>";
        var list = new List<string>();
        var count = 0;
        var more = false;
        foreach (var subset in subsets)
        {
            var addresses = Json.Objs(subset, "addresses").Select(a => Json.Str(a, "ip")).ToList();
            var ports = Json.Objs(subset, "ports").ToList();
            if (ports.Count == 0)
            {
                // Headless services may list addresses without ports.
                count += addresses.Count;
                foreach (var ip in addresses)
                {
                    if (list.Count == max) { more = true; break; }
                    list.Add(ip);
                }
                continue;
            }
            foreach (var port in ports)
            {
                count += addresses.Count;
                foreach (var ip in addresses)
                {
                    if (list.Count == max) { more = true; break; }
                    var portText = Json.Long(port, "port").ToString(CultureInfo.InvariantCulture);
                    list.Add(ip.Contains(':') ? $"[{ip}]:{portText}" : $"{ip}:{portText}");
                }
            }
        }
        var joined = string.Join(",", list);
        return more ? $"{joined} + {count - max} more..." : joined;
    }
}
