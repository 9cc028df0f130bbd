using System.Text.Json.Nodes;
using Skiff.ApiServer.Serialization;

namespace Skiff.ApiServer.Admission;

/// <summary>
/// Upstream's DefaultTolerationSeconds admission plugin on pod create: a pod that does not tolerate the
/// node.kubernetes.io/not-ready or node.kubernetes.io/unreachable NoExecute taint (a toleration with that key or no
/// key, and effect NoExecute or none) gets one for it, operator Exists, tolerationSeconds 300, so that the taint
/// eviction controller moves it off a failed node after five minutes rather than at once. Stateless; thread-safe.
/// </summary>
public static class DefaultTolerationSeconds
{
    public const long Seconds = 300;
    private static readonly string[] Keys = ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"];

    public static void Admit(JsonObject pod)
    {
        if (pod["spec"] is not JsonObject spec) return;
        var tolerations = spec["tolerations"] as JsonArray;
        foreach (var key in Keys)
        {
            var tolerated = tolerations?.OfType<JsonObject>().Any(t =>
                (Obj.Str(t, "key") is null or "" || Obj.Str(t, "key") == key) && (Obj.Str(t, "effect") is null or "" or "NoExecute")) == true;
            if (tolerated) continue;
            if (tolerations is null) spec["tolerations"] = tolerations = [];
            tolerations.Add(new JsonObject { ["key"] = key, ["operator"] = "Exists", ["effect"] = "NoExecute", ["tolerationSeconds"] = Seconds });
        }
    }
}
