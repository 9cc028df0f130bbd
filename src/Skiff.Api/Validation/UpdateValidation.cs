using System.Text.Json.Nodes;

namespace Skiff.Api.Validation;

/// <summary>
/// Upstream's update-only rules for the built-in kinds: the fields that may not change once an
/// object exists (a Deployment's selector, most of a Pod's spec, a StatefulSet's spec outside
/// replicas/template/…, an immutable ConfigMap's data). Works on the wire JSON of the new and
/// the stored object, after defaulting; returns the field errors (empty when the update is allowed).
/// </summary>
public static class UpdateValidation
{
    private const string Immutable = "field is immutable";

    public static IReadOnlyList<FieldError> Validate(string group, string kind, JsonObject updated, JsonObject old)
    {
        var errors = new List<FieldError>();
        switch (group, kind)
        {
            case ("apps", "Deployment" or "ReplicaSet" or "DaemonSet"):
                Same(errors, updated, old, "spec", "selector");
                break;
            case ("apps", "StatefulSet"):
                StatefulSetSpec(errors, updated, old);
                break;
            case ("batch", "Job"):
                Same(errors, updated, old, "spec", "selector");
                Same(errors, updated, old, "spec", "completionMode");
                Same(errors, updated, old, "spec", "template");
                if (Obj(updated, "spec")?["completionMode"]?.GetValue<string>() != "Indexed")
                    Same(errors, updated, old, "spec", "completions");
                break;
            case ("", "Pod"):
                PodSpec(errors, updated, old);
                break;
            case ("", "ConfigMap"):
                ImmutableData(errors, updated, old, "data", "binaryData");
                break;
            case ("", "Secret"):
                Same(errors, updated, old, "type");
                ImmutableData(errors, updated, old, "data");
                break;
            case ("", "PersistentVolumeClaim"):
                ClaimSpec(errors, updated, old);
                break;
            case ("", "Node"):
                NodePodCidrs(errors, updated, old);
                break;
            case ("", "Service"):
                ServiceClusterIP(errors, updated, old);
                break;
        }
        return errors;
    }

    /// <summary>
    /// pods/ephemeralcontainers: containers may only be added; existing ones stay exactly as
    /// they are, and names must be unique across all of the pod's containers.
    /// </summary>
    public static IReadOnlyList<FieldError> EphemeralContainers(JsonObject updated, JsonObject old)
    {
        var errors = new List<FieldError>();
        var before = (Obj(old, "spec")?["ephemeralContainers"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var after = (Obj(updated, "spec")?["ephemeralContainers"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        foreach (var o in before)
        {
            var name = o["name"]?.GetValue<string>() ?? "";
            var n = after.FirstOrDefault(c => c["name"]?.GetValue<string>() == name);
            if (n is null)
                errors.Add(new FieldError(FieldErrorType.Forbidden, "spec.ephemeralContainers", null, $"existing ephemeral containers \"{name}\" may not be removed"));
            else if (!JsonNode.DeepEquals(n, o))
                errors.Add(new FieldError(FieldErrorType.Forbidden, "spec.ephemeralContainers", null, $"existing ephemeral containers \"{name}\" may not be changed"));
        }
        var taken = new HashSet<string>();
        foreach (var list in new[] { "initContainers", "containers" })
            if (Obj(updated, "spec")?[list] is JsonArray cs)
                foreach (var c in cs.OfType<JsonObject>()) taken.Add(c["name"]?.GetValue<string>() ?? "");
        for (var i = 0; i < after.Count; i++)
        {
            var name = after[i]["name"]?.GetValue<string>() ?? "";
            var path = $"spec.ephemeralContainers[{i}]";
            if (name.Length == 0) errors.Add(new FieldError(FieldErrorType.Required, path + ".name", null, ""));
            else if (!taken.Add(name)) errors.Add(new FieldError(FieldErrorType.Duplicate, path + ".name", name, ""));
            if (string.IsNullOrEmpty(after[i]["image"]?.GetValue<string>()))
                errors.Add(new FieldError(FieldErrorType.Required, path + ".image", null, ""));
        }
        return errors;
    }

    private static void Same(List<FieldError> errors, JsonObject updated, JsonObject old, params string[] path)
    {
        var a = At(updated, path);
        var b = At(old, path);
        if (!JsonNode.DeepEquals(a, b))
            errors.Add(new FieldError(FieldErrorType.Invalid, string.Join('.', path), Show(a), Immutable));
    }

    /// <summary>StatefulSets: only the fields the controller can roll out may change.</summary>
    private static void StatefulSetSpec(List<FieldError> errors, JsonObject updated, JsonObject old)
    {
        string[] mutable = ["replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"];
        if (!JsonNode.DeepEquals(Without(Obj(updated, "spec"), mutable), Without(Obj(old, "spec"), mutable)))
            errors.Add(new FieldError(FieldErrorType.Forbidden, "spec", null,
                "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
    }

    /// <summary>
    /// Pods: the spec is fixed once created except container images, activeDeadlineSeconds,
    /// additions to tolerations, and terminationGracePeriodSeconds going from negative to 1.
    /// (nodeName is set through pods/binding, ephemeral containers through their subresource.)
    /// </summary>
    private static void PodSpec(List<FieldError> errors, JsonObject updated, JsonObject old)
    {
        var a = Obj(updated, "spec")?.DeepClone().AsObject() ?? new JsonObject();
        var b = Obj(old, "spec")?.DeepClone().AsObject() ?? new JsonObject();
        foreach (var list in new[] { "containers", "initContainers" })
        {
            if (a[list] is JsonArray na && b[list] is JsonArray oa && na.Count == oa.Count)
                for (var i = 0; i < na.Count; i++)
                    if (na[i] is JsonObject nc && oa[i] is JsonObject oc) nc["image"] = oc["image"]?.DeepClone();
        }
        var oldDeadline = b["activeDeadlineSeconds"]?.GetValue<long>();
        var newDeadline = a["activeDeadlineSeconds"]?.GetValue<long>();
        // activeDeadlineSeconds may be set or shortened, never removed or lengthened.
        if (newDeadline is not null && (oldDeadline is null || newDeadline <= oldDeadline)) a["activeDeadlineSeconds"] = b["activeDeadlineSeconds"]?.DeepClone();
        else if (newDeadline is null && oldDeadline is not null)
            errors.Add(new FieldError(FieldErrorType.Invalid, "spec.activeDeadlineSeconds", new LiteralValue("0"), "must be a positive integer"));
        if (a["tolerations"] is JsonArray nt && b["tolerations"] is JsonArray ot && ot.All(t => nt.Any(n => JsonNode.DeepEquals(n, t))))
            a["tolerations"] = ot.DeepClone();
        else if (a["tolerations"] is JsonArray addedOnly && b["tolerations"] is null && addedOnly.Count > 0)
            a.Remove("tolerations");
        if (b["terminationGracePeriodSeconds"]?.GetValue<long>() < 0 && a["terminationGracePeriodSeconds"]?.GetValue<long>() == 1)
            a["terminationGracePeriodSeconds"] = b["terminationGracePeriodSeconds"]?.DeepClone();
        if (JsonNode.DeepEquals(a, b)) return;
        var changed = a.Select(p => p.Key).Union(b.Select(p => p.Key))
            .Where(k => !JsonNode.DeepEquals(a[k], b[k])).OrderBy(k => k, StringComparer.Ordinal).ToList();
        errors.Add(new FieldError(FieldErrorType.Forbidden, "spec", null,
            "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`," +
            "`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)" +
            $"\n  changed: {string.Join(", ", changed.Select(k => "spec." + k))}"));
    }

    /// <summary>ConfigMaps and Secrets marked immutable keep their data and stay immutable.</summary>
    private static void ImmutableData(List<FieldError> errors, JsonObject updated, JsonObject old, params string[] fields)
    {
        if (old["immutable"]?.GetValue<bool>() != true) return;
        if (updated["immutable"]?.GetValue<bool>() != true)
            errors.Add(new FieldError(FieldErrorType.Forbidden, "immutable", null, "field is immutable when `immutable` is set"));
        foreach (var f in fields)
            if (!JsonNode.DeepEquals(updated[f], old[f]))
                errors.Add(new FieldError(FieldErrorType.Forbidden, f, null, "field is immutable when `immutable` is set"));
    }

    /// <summary>PVCs: the spec is fixed except resource requests (expansion) and the volume attributes class; a bound claim's volumeName stays.</summary>
    private static void ClaimSpec(List<FieldError> errors, JsonObject updated, JsonObject old)
    {
        var a = Obj(updated, "spec")?.DeepClone().AsObject() ?? new JsonObject();
        var b = Obj(old, "spec")?.DeepClone().AsObject() ?? new JsonObject();
        a.Remove("resources"); b.Remove("resources");
        a.Remove("volumeAttributesClassName"); b.Remove("volumeAttributesClassName");
        // Binding fills volumeName in once.
        if (b["volumeName"] is null) a.Remove("volumeName");
        if (!JsonNode.DeepEquals(a, b))
            errors.Add(new FieldError(FieldErrorType.Forbidden, "spec", null,
                "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"));
    }

    /// <summary>Nodes: podCIDR(s) may be set once, never changed.</summary>
    private static void NodePodCidrs(List<FieldError> errors, JsonObject updated, JsonObject old)
    {
        var before = Obj(old, "spec")?["podCIDRs"];
        if (before is JsonArray { Count: > 0 } && !JsonNode.DeepEquals(before, Obj(updated, "spec")?["podCIDRs"]))
            errors.Add(new FieldError(FieldErrorType.Forbidden, "spec.podCIDRs", null, "node updates may not change podCIDR except from \"\" to valid"));
    }

    /// <summary>Services: an allocated cluster IP stays unless the type leaves ClusterIP-based types (ExternalName).</summary>
    private static void ServiceClusterIP(List<FieldError> errors, JsonObject updated, JsonObject old)
    {
        var oldIp = Obj(old, "spec")?["clusterIP"]?.GetValue<string>();
        var newIp = Obj(updated, "spec")?["clusterIP"]?.GetValue<string>();
        if (Obj(updated, "spec")?["type"]?.GetValue<string>() == "ExternalName") return;
        if (string.IsNullOrEmpty(oldIp) || string.IsNullOrEmpty(newIp) || oldIp == newIp) return;
        errors.Add(new FieldError(FieldErrorType.Invalid, "spec.clusterIPs[0]", new LiteralValue($"[]string{{\"{newIp}\"}}"), "may not change once set"));
    }

    private static JsonObject? Obj(JsonObject o, string key) => o[key] as JsonObject;

    private static JsonNode? At(JsonObject o, string[] path)
    {
        JsonNode? n = o;
        foreach (var p in path) n = (n as JsonObject)?[p];
        return n;
    }

    private static JsonObject Without(JsonObject? o, string[] keys)
    {
        var c = o?.DeepClone().AsObject() ?? new JsonObject();
        foreach (var k in keys) c.Remove(k);
        return c;
    }

    private static object? Show(JsonNode? n) => n switch
    {
        null => new LiteralValue("null"),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => new LiteralValue(n.ToJsonString()),
    };
}
