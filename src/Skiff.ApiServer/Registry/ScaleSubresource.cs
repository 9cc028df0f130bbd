using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Errors;
using Skiff.ApiServer.Serialization;

namespace Skiff.ApiServer.Registry;

/// <summary>
/// The autoscaling/v1 Scale view of a workload's replicas (deployments, replicasets, statefulsets,
/// replicationcontrollers /scale): read from, and written through to, the parent object.
/// </summary>
public static class ScaleSubresource
{
    /// <summary>The Scale object for a parent.</summary>
    public static JsonObject From(JsonObject parent)
    {
        var meta = parent["metadata"] as JsonObject ?? new JsonObject();
        var scaleMeta = new JsonObject();
        foreach (var f in new[] { "name", "namespace", "uid", "resourceVersion", "creationTimestamp" })
            if (meta[f] is { } v) scaleMeta[f] = v.DeepClone();
        var status = new JsonObject { ["replicas"] = parent["status"]?["replicas"]?.GetValue<int>() ?? 0 };
        var selector = Selector(parent["spec"]?["selector"]);
        if (selector.Length > 0) status["selector"] = selector;
        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = scaleMeta,
            ["spec"] = new JsonObject { ["replicas"] = parent["spec"]?["replicas"]?.GetValue<int>() ?? 1 },
            ["status"] = status,
        };
    }

    /// <summary>Applies a desired Scale to the parent: spec.replicas, with the Scale's resourceVersion as precondition.</summary>
    public static JsonObject ApplyTo(JsonObject parent, JsonObject scale, string kind)
    {
        var replicas = scale["spec"]?["replicas"];
        if (replicas is not JsonValue v || !v.TryGetValue<int>(out var n))
            throw StatusException.Invalid("autoscaling", "Scale", Obj.Name(parent), [new(FieldErrorType.Required, "spec.replicas", null, "")]);
        if (n < 0)
            throw StatusException.Invalid("autoscaling", "Scale", Obj.Name(parent), [new(FieldErrorType.Invalid, "spec.replicas", n, "must be greater than or equal to 0")]);
        if (parent["spec"] is not JsonObject spec) parent["spec"] = spec = new JsonObject();
        spec["replicas"] = n;
        var rv = Obj.Str(scale["metadata"], "resourceVersion");
        Obj.Meta(parent)["resourceVersion"] = string.IsNullOrEmpty(rv) ? null : rv;
        return parent;
    }

    /// <summary>metav1.FormatLabelSelector: "a=b,c in (d,e),!f".</summary>
    public static string Selector(JsonNode? selector)
    {
        if (selector is not JsonObject s) return "";
        var parts = new List<string>();
        if (s["matchLabels"] is JsonObject labels)
            foreach (var (k, val) in labels.OrderBy(p => p.Key, StringComparer.Ordinal)) parts.Add($"{k}={val?.GetValue<string>()}");
        if (s["matchExpressions"] is JsonArray exprs)
            foreach (var e in exprs.OfType<JsonObject>())
            {
                var key = Obj.Str(e, "key") ?? "";
                IEnumerable<string> values = (e["values"] as JsonArray)?.Select(x => x?.GetValue<string>() ?? "").Order(StringComparer.Ordinal).ToList() ?? [];
                parts.Add(Obj.Str(e, "operator") switch
                {
                    "In" => $"{key} in ({string.Join(",", values)})",
                    "NotIn" => $"{key} notin ({string.Join(",", values)})",
                    "Exists" => key,
                    "DoesNotExist" => "!" + key,
                    var op => $"{key} {op}",
                });
            }
        return string.Join(",", parts);
    }
}
