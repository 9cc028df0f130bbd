namespace Skiff.ApiServer.Tables;

/// <summary>Tables of storage.k8s.io resources.</summary>
internal static class StorageTables
{
    public static readonly ITableConvertor StorageClasses = new TableConvertor(
    [
        Col.Name,
        Col.Str("Provisioner", "Volume plugin that provisions volumes."),
        Col.Str("ReclaimPolicy", "Reclaim policy of provisioned volumes."),
        Col.Str("VolumeBindingMode", "Immediate or WaitForFirstConsumer."),
        Col.Str("AllowVolumeExpansion", "Whether claims may grow."),
        Col.Age,
    ], (sc, now) =>
    {
        var name = Json.Name(sc);
        if (Annotation(sc, "storageclass.kubernetes.io/is-default-class") == "true"
            || Annotation(sc, "storageclass.beta.kubernetes.io/is-default-class") == "true")
            name += " (default)";
        return
        [
            name, Json.Str(sc, "provisioner"), Json.StrOrNull(sc, "reclaimPolicy") ?? "Delete",
            Json.StrOrNull(sc, "volumeBindingMode") ?? "Immediate", Json.Bool(sc, "allowVolumeExpansion"), Json.Age(sc, now),
        ];
    });

    public static readonly ITableConvertor VolumeAttributesClasses = new TableConvertor(
        [Col.Name, Col.Str("DriverName", "CSI driver the class is for."), Col.Age],
        (vac, now) =>
        {
            var name = Json.Name(vac);
            if (Annotation(vac, "storage.kubernetes.io/is-default-class") == "true") name += " (default)";
            return [name, Json.Str(vac, "driverName"), Json.Age(vac, now)];
        });

    public static readonly ITableConvertor CsiDrivers = new TableConvertor(
    [
        Col.Name,
        Col.Bool("AttachRequired", "Whether volumes need an attach step."),
        Col.Bool("PodInfoOnMount", "Whether pod information is passed on mount."),
        Col.Bool("StorageCapacity", "Whether the driver reports capacity."),
        Col.Str("TokenRequests", "Audiences of service account tokens passed to the driver."),
        Col.Bool("RequiresRepublish", "Whether volumes are periodically republished."),
        Col.Str("Modes", "Volume lifecycle modes."),
        Col.Age,
    ], (d, now) =>
    {
        var spec = Json.Obj(d, "spec");
        var modes = Json.At(spec, "volumeLifecycleModes") is System.Text.Json.Nodes.JsonArray a ? string.Join(",", a.Select(x => Json.StrOrNull(x) ?? "")) : "";
        var tokens = Json.At(spec, "tokenRequests") is System.Text.Json.Nodes.JsonArray t
            ? string.Join(",", t.Select(x => Json.Str(x, "audience"))) : "<unset>";
        return
        [
            Json.Name(d), Json.BoolOrNull(spec, "attachRequired") ?? true, Json.Bool(spec, "podInfoOnMount"), Json.Bool(spec, "storageCapacity"),
            tokens, Json.Bool(spec, "requiresRepublish"), modes.Length == 0 ? "<none>" : modes, Json.Age(d, now),
        ];
    });

    public static readonly ITableConvertor CsiNodes = new TableConvertor(
        [Col.Name, Col.Int("Drivers", "Number of CSI drivers registered on the node."), Col.Age],
        (n, now) => [Json.Name(n), (long)Json.Count(n, "spec", "drivers"), Json.Age(n, now)]);

    public static readonly ITableConvertor CsiStorageCapacities = new TableConvertor(
        [Col.Name, Col.Str("StorageClassName", "Storage class the capacity is for."), Col.Str("Capacity", "Available capacity.")],
        (c, _) => [Json.Name(c), Json.Str(c, "storageClassName"), c["capacity"] is null ? "<unset>" : Json.Quantity(c, "capacity")]);

    public static readonly ITableConvertor VolumeAttachments = new TableConvertor(
    [
        Col.Name,
        new("Attacher", "string", "name", "CSI driver doing the attach."),
        Col.Str("PV", "The attached persistent volume."),
        Col.Str("Node", "The node the volume is attached to."),
        Col.Bool("Attached", "Whether the attach succeeded."),
        Col.Age,
    ], (va, now) =>
    [
        Json.Name(va), Json.Str(va, "spec", "attacher"), Json.Str(va, "spec", "source", "persistentVolumeName"),
        Json.Str(va, "spec", "nodeName"), Json.Bool(va, "status", "attached"), Json.Age(va, now),
    ]);

    private static string? Annotation(System.Text.Json.Nodes.JsonObject obj, string key) => Json.StrOrNull(obj, "metadata", "annotations", key);
}
