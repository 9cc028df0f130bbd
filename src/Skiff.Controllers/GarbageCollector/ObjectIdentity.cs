using System.Text.Json.Nodes;

namespace Skiff.Controllers.GarbageCollector;

/// <summary>Which object a graph node stands for. Namespace is empty for cluster-scoped objects.</summary>
public sealed record ObjectIdentity(string ApiVersion, string Kind, string Namespace, string Name, string Uid)
{
    public override string ToString() => $"[{ApiVersion}/{Kind}, namespace: {Namespace}, name: {Name}, uid: {Uid}]";
}

/// <summary>One metadata.ownerReferences entry.</summary>
public sealed record OwnerReference(string ApiVersion, string Kind, string Name, string Uid, bool BlockOwnerDeletion, bool Controller);

/// <summary>The metadata the collector reads of an object: identity, owners, deletion state and finalizers. Immutable.</summary>
public sealed record ObjectMetadata(ObjectIdentity Identity, IReadOnlyList<OwnerReference> Owners, bool BeingDeleted, IReadOnlyList<string> Finalizers)
{
    public const string OrphanFinalizer = "orphan";
    public const string ForegroundFinalizer = "foregroundDeletion";

    public bool HasFinalizer(string f) => Finalizers.Contains(f);

    /// <summary>Reads the metadata of an object as the API returns it (apiVersion and kind given by the caller when the object lacks them).</summary>
    public static ObjectMetadata FromJson(JsonObject obj, string apiVersion, string kind)
    {
        var meta = obj["metadata"] as JsonObject;
        string S(JsonNode? n, string key) => n?[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
        var owners = meta?["ownerReferences"] is JsonArray refs
            ? refs.OfType<JsonObject>().Select(r => new OwnerReference(S(r, "apiVersion"), S(r, "kind"), S(r, "name"), S(r, "uid"),
                r["blockOwnerDeletion"]?.GetValue<bool>() ?? false, r["controller"]?.GetValue<bool>() ?? false)).ToList()
            : [];
        var finalizers = meta?["finalizers"] is JsonArray fs ? fs.Select(f => f?.GetValue<string>() ?? "").ToList() : [];
        var id = new ObjectIdentity(
            S(obj, "apiVersion") is { Length: > 0 } av ? av : apiVersion,
            S(obj, "kind") is { Length: > 0 } k ? k : kind,
            S(meta, "namespace"), S(meta, "name"), S(meta, "uid"));
        return new ObjectMetadata(id, owners, meta?["deletionTimestamp"] is not null, finalizers);
    }
}
