using System.Text.Json.Nodes;
using Skiff.ApiServer.Serialization;

namespace Skiff.ApiServer.CustomResources;

/// <summary>
/// What the server fills into every CustomResourceDefinition written (upstream's v1 defaults and
/// strategy): names.singular and names.listKind, conversion.strategy None, the storage version in
/// status.storedVersions, and the cleanup finalizer that lets the CRD controller delete the instances
/// before the CRD goes.
/// </summary>
/// <remarks>Upstream adds the finalizer when deletion starts; Skiff adds it on every write of a CRD not
/// yet being deleted, so the generic delete path (which marks objects with finalizers) needs no CRD
/// special case. Stateless and thread-safe.</remarks>
public static class CrdDefaults
{
    public static void Apply(JsonObject crd)
    {
        if (crd["spec"] is not JsonObject spec) return;
        if (spec["names"] is JsonObject names && Obj.Str(names, "kind") is { Length: > 0 } kind)
        {
            if (Obj.Str(names, "singular") is null or "") names["singular"] = kind.ToLowerInvariant();
            if (Obj.Str(names, "listKind") is null or "") names["listKind"] = kind + "List";
        }
        if (spec["conversion"] is not JsonObject conversion) spec["conversion"] = conversion = new JsonObject();
        if (Obj.Str(conversion, "strategy") is null) conversion["strategy"] = "None";

        var storage = (spec["versions"] as JsonArray ?? []).OfType<JsonObject>()
            .FirstOrDefault(v => v["storage"] is JsonValue s && s.TryGetValue<bool>(out var b) && b);
        if (storage is not null && Obj.Str(storage, "name") is { Length: > 0 } storageName)
        {
            if (crd["status"] is not JsonObject status) crd["status"] = status = new JsonObject();
            if (status["storedVersions"] is not JsonArray stored) status["storedVersions"] = stored = new JsonArray();
            if (!stored.Any(x => x is JsonValue sv && sv.TryGetValue<string>(out var n) && n == storageName)) stored.Add((JsonNode?)JsonValue.Create(storageName));
            if (status["acceptedNames"] is null) status["acceptedNames"] = new JsonObject { ["plural"] = "", ["kind"] = "" };
            if (status["conditions"] is null) status["conditions"] = new JsonArray();
        }

        var meta = Obj.Meta(crd);
        if (Obj.Str(meta, "deletionTimestamp") is null)
        {
            if (meta["finalizers"] is not JsonArray finalizers) meta["finalizers"] = finalizers = new JsonArray();
            if (!finalizers.Any(f => f is JsonValue fv && fv.TryGetValue<string>(out var n) && n == CrdModel.CleanupFinalizer))
                finalizers.Add((JsonNode?)JsonValue.Create(CrdModel.CleanupFinalizer));
        }
    }
}
