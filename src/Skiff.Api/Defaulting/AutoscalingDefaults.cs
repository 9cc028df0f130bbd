using System.Text.Json.Nodes;
using static Skiff.Api.Defaulting.JsonFields;

namespace Skiff.Api.Defaulting;

/// <summary>HorizontalPodAutoscaler defaults (upstream pkg/apis/autoscaling/v1 and v2).</summary>
internal static class AutoscalingDefaults
{
    public static void HorizontalPodAutoscalerV1(JsonObject obj) => DefaultPointer(Ensure(obj, "spec"), "minReplicas", 1);

    public static void HorizontalPodAutoscalerV2(JsonObject obj)
    {
        var spec = Ensure(obj, "spec");
        DefaultPointer(spec, "minReplicas", 1);
        if (!IsNonEmptyArray(spec["metrics"]))
        {
            spec["metrics"] = new JsonArray(new JsonObject
            {
                ["type"] = "Resource",
                ["resource"] = new JsonObject
                {
                    ["name"] = "cpu",
                    ["target"] = new JsonObject { ["type"] = "Utilization", ["averageUtilization"] = 80 },
                },
            });
        }
        // Behavior is filled in only when the user wrote one; each direction then gets every rule.
        if (Child(spec, "behavior") is { } behavior)
        {
            var scaleUp = Ensure(behavior, "scaleUp");
            DefaultPointer(scaleUp, "stabilizationWindowSeconds", 0);
            DefaultPointer(scaleUp, "selectPolicy", "Max");
            DefaultPointer(scaleUp, "policies", new JsonArray(Policy("Pods", 4), Policy("Percent", 100)));

            // The scale-down window stays unset: the controller's --horizontal-pod-autoscaler-downscale-stabilization flag decides it.
            var scaleDown = Ensure(behavior, "scaleDown");
            DefaultPointer(scaleDown, "selectPolicy", "Max");
            DefaultPointer(scaleDown, "policies", new JsonArray(Policy("Percent", 100)));
        }
    }

    private static JsonObject Policy(string type, int value) =>
        new() { ["type"] = type, ["value"] = value, ["periodSeconds"] = 15 };
}
