using static Skiff.Api.Tests.Defaulting.DefaultingAssert;

namespace Skiff.Api.Tests.Defaulting;

public class AutoscalingDefaultsTests
{
    [Fact]
    public void Minimal_v2_autoscaler_scales_on_cpu_and_gets_no_behavior()
    {
        var hpa = Defaulted("autoscaling", "v2", "HorizontalPodAutoscaler", """{"spec":{"scaleTargetRef":{"kind":"Deployment","name":"d"},"maxReplicas":5}}""");
        Equal("""
            {"spec":{"scaleTargetRef":{"kind":"Deployment","name":"d"},"maxReplicas":5,"minReplicas":1,
              "metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":80}}}]}}
            """, hpa);
    }

    [Fact]
    public void A_written_behavior_gets_every_rule_in_both_directions()
    {
        var hpa = Defaulted("autoscaling", "v2", "HorizontalPodAutoscaler", """
            {"spec":{"scaleTargetRef":{"kind":"Deployment","name":"d"},"minReplicas":2,"maxReplicas":5,
              "metrics":[{"type":"Resource","resource":{"name":"memory","target":{"type":"AverageValue","averageValue":"1Gi"}}}],
              "behavior":{"scaleDown":{"stabilizationWindowSeconds":60}}}}
            """);
        Equal("""
            {"scaleUp":{"stabilizationWindowSeconds":0,"selectPolicy":"Max","policies":[{"type":"Pods","value":4,"periodSeconds":15},{"type":"Percent","value":100,"periodSeconds":15}]},
             "scaleDown":{"stabilizationWindowSeconds":60,"selectPolicy":"Max","policies":[{"type":"Percent","value":100,"periodSeconds":15}]}}
            """, hpa["spec"]!["behavior"]);
        Assert.Equal(2, (int)hpa["spec"]!["minReplicas"]!);
        Assert.Equal("memory", (string?)hpa["spec"]!["metrics"]![0]!["resource"]!["name"]);

        var empty = Defaulted("autoscaling", "v2", "HorizontalPodAutoscaler", """{"spec":{"behavior":{"scaleUp":{"policies":[],"selectPolicy":"Disabled"}}}}""");
        Equal("""{"policies":[],"selectPolicy":"Disabled","stabilizationWindowSeconds":0}""", empty["spec"]!["behavior"]!["scaleUp"]);
        Assert.False(empty["spec"]!["behavior"]!["scaleDown"]!.AsObject().ContainsKey("stabilizationWindowSeconds"));
    }

    [Fact]
    public void V1_autoscaler_defaults_only_min_replicas() =>
        Equal("""{"spec":{"scaleTargetRef":{"kind":"Deployment","name":"d"},"maxReplicas":3,"minReplicas":1}}""",
            Defaulted("autoscaling", "v1", "HorizontalPodAutoscaler", """{"spec":{"scaleTargetRef":{"kind":"Deployment","name":"d"},"maxReplicas":3}}"""));
}
