using System.Text.Json.Nodes;
using Skiff.Api.Validation;

namespace Skiff.Api.Tests;

public sealed class UpdateValidationTests
{
    private static JsonObject J(string json) => JsonNode.Parse(json)!.AsObject();

    [Fact]
    public void ADeploymentSelectorIsImmutable()
    {
        var old = J("""{"spec":{"selector":{"matchLabels":{"app":"a"}},"replicas":1}}""");
        Assert.Empty(UpdateValidation.Validate("apps", "Deployment", J("""{"spec":{"selector":{"matchLabels":{"app":"a"}},"replicas":3}}"""), old));
        var e = Assert.Single(UpdateValidation.Validate("apps", "Deployment", J("""{"spec":{"selector":{"matchLabels":{"app":"b"}},"replicas":1}}"""), old));
        Assert.Equal("spec.selector", e.Field);
        Assert.Equal("FieldValueInvalid", e.Reason);
        Assert.EndsWith("field is immutable", e.Message);
    }

    [Fact]
    public void APodMayChangeImagesAndAddTolerationsButNothingElse()
    {
        var old = J("""{"spec":{"containers":[{"name":"c","image":"busybox:1"}],"tolerations":[{"key":"a","operator":"Exists"}]}}""");
        Assert.Empty(UpdateValidation.Validate("", "Pod",
            J("""{"spec":{"containers":[{"name":"c","image":"busybox:2"}],"tolerations":[{"key":"a","operator":"Exists"},{"key":"b","operator":"Exists"}]}}"""), old));
        var e = Assert.Single(UpdateValidation.Validate("", "Pod",
            J("""{"spec":{"containers":[{"name":"c","image":"busybox:1","command":["sh"]}],"tolerations":[{"key":"a","operator":"Exists"}]}}"""), old));
        Assert.Equal("spec", e.Field);
        Assert.StartsWith("Forbidden: pod updates may not change fields other than", e.Message);
        Assert.Contains("spec.containers", e.Message);
        // Removing a toleration is a change too.
        Assert.Single(UpdateValidation.Validate("", "Pod", J("""{"spec":{"containers":[{"name":"c","image":"busybox:1"}]}}"""), old));
    }

    [Fact]
    public void AStatefulSetSpecChangesOnlyInItsRollableFields()
    {
        var old = J("""{"spec":{"serviceName":"s","replicas":1,"template":{"metadata":{"labels":{"a":"1"}}}}}""");
        Assert.Empty(UpdateValidation.Validate("apps", "StatefulSet", J("""{"spec":{"serviceName":"s","replicas":5,"template":{"metadata":{"labels":{"a":"2"}}}}}"""), old));
        var e = Assert.Single(UpdateValidation.Validate("apps", "StatefulSet", J("""{"spec":{"serviceName":"t","replicas":1,"template":{"metadata":{"labels":{"a":"1"}}}}}"""), old));
        Assert.Contains("updates to statefulset spec for fields other than 'replicas'", e.Message);
    }

    [Fact]
    public void AnImmutableConfigMapKeepsItsDataAndItsFlag()
    {
        var old = J("""{"immutable":true,"data":{"k":"v"}}""");
        Assert.Empty(UpdateValidation.Validate("", "ConfigMap", J("""{"immutable":true,"data":{"k":"v"},"metadata":{"labels":{"x":"y"}}}"""), old));
        var errors = UpdateValidation.Validate("", "ConfigMap", J("""{"immutable":false,"data":{"k":"w"}}"""), old);
        Assert.Equal(["immutable", "data"], errors.Select(e => e.Field));
        Assert.Empty(UpdateValidation.Validate("", "ConfigMap", J("""{"data":{"k":"w"}}"""), J("""{"data":{"k":"v"}}""")));
    }

    [Fact]
    public void ASecretTypeAndAServiceClusterIPStay()
    {
        Assert.Equal("type", Assert.Single(UpdateValidation.Validate("", "Secret", J("""{"type":"kubernetes.io/tls"}"""), J("""{"type":"Opaque"}"""))).Field);
        var e = Assert.Single(UpdateValidation.Validate("", "Service", J("""{"spec":{"clusterIP":"10.43.0.9"}}"""), J("""{"spec":{"clusterIP":"10.43.0.8"}}""")));
        Assert.Equal("spec.clusterIPs[0]: Invalid value: []string{\"10.43.0.9\"}: may not change once set", $"{e.Field}: {e.Message}");
    }

    [Fact]
    public void ANodePodCidrIsSetOnce()
    {
        Assert.Empty(UpdateValidation.Validate("", "Node", J("""{"spec":{"podCIDRs":["10.42.0.0/24"]}}"""), J("""{"spec":{}}""")));
        Assert.Single(UpdateValidation.Validate("", "Node", J("""{"spec":{"podCIDRs":["10.42.1.0/24"]}}"""), J("""{"spec":{"podCIDRs":["10.42.0.0/24"]}}""")));
    }
}

public sealed class EphemeralContainerValidationTests
{
    private static JsonObject J(string json) => JsonNode.Parse(json)!.AsObject();

    [Fact]
    public void EphemeralContainersMayOnlyBeAdded()
    {
        var old = J("""{"spec":{"containers":[{"name":"app","image":"a"}],"ephemeralContainers":[{"name":"debug","image":"busybox"}]}}""");
        Assert.Empty(UpdateValidation.EphemeralContainers(
            J("""{"spec":{"containers":[{"name":"app","image":"a"}],"ephemeralContainers":[{"name":"debug","image":"busybox"},{"name":"d2","image":"busybox"}]}}"""), old));
        var changed = Assert.Single(UpdateValidation.EphemeralContainers(
            J("""{"spec":{"containers":[{"name":"app","image":"a"}],"ephemeralContainers":[{"name":"debug","image":"other"}]}}"""), old));
        Assert.Contains("may not be changed", changed.Message);
        var removed = Assert.Single(UpdateValidation.EphemeralContainers(J("""{"spec":{"containers":[{"name":"app","image":"a"}]}}"""), old));
        Assert.Contains("may not be removed", removed.Message);
        var dup = Assert.Single(UpdateValidation.EphemeralContainers(
            J("""{"spec":{"containers":[{"name":"app","image":"a"}],"ephemeralContainers":[{"name":"debug","image":"busybox"},{"name":"app","image":"b"}]}}"""), old));
        Assert.Equal("spec.ephemeralContainers[1].name", dup.Field);
    }
}
