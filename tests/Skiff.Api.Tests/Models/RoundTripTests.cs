using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.Api.Json;
using Skiff.Api.Models.Apps.V1;

namespace Skiff.Api.Tests.Models;

public sealed class RoundTripTests
{
    private const string DeploymentWithUnknownFields = """
        {
          "apiVersion": "apps/v1",
          "kind": "Deployment",
          "futureTopLevel": {"nested": [1, 2, {"deep": true}]},
          "metadata": {
            "name": "web",
            "namespace": "default",
            "labels": {"app": "web"},
            "creationTimestamp": "2026-01-02T03:04:05Z",
            "futureMetadataField": "kept"
          },
          "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "web"}},
            "futureSpecField": 42,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
            "template": {
              "metadata": {"labels": {"app": "web"}},
              "spec": {
                "containers": [{
                  "name": "web",
                  "image": "busybox",
                  "ports": [{"containerPort": 80, "protocol": "TCP", "futurePortField": null}],
                  "resources": {"limits": {"cpu": "500m", "memory": "1Gi"}},
                  "futureContainerField": {"a": "b"}
                }]
              }
            }
          },
          "status": {"replicas": 3, "futureStatusField": [true]}
        }
        """;

    [Fact]
    public void Deployment_keeps_unknown_fields_at_every_level()
    {
        var deployment = ModelJson.Deserialize<Deployment>(DeploymentWithUnknownFields)!;

        Assert.Equal(3, deployment.Spec!.Replicas);
        Assert.Equal("busybox", deployment.Spec.Template!.Spec!.Containers![0].Image);
        Assert.True(deployment.Spec.Template.Spec.Containers[0].ExtensionData!.ContainsKey("futureContainerField"));

        var written = ModelJson.Serialize(deployment);
        var expected = JsonNode.Parse(DeploymentWithUnknownFields);
        var actual = JsonNode.Parse(written);
        Assert.True(JsonNode.DeepEquals(expected, actual), $"Round trip changed the object:\n{written}");
    }

    [Fact]
    public void Null_properties_are_left_out_when_writing()
    {
        var written = ModelJson.Serialize(new Deployment { Kind = "Deployment" });
        Assert.Equal("""{"kind":"Deployment"}""", written);
    }

    [Fact]
    public void Kind_classes_carry_their_group_version_kind()
    {
        Assert.Equal(new Skiff.Api.Meta.GroupVersionKind("apps", "v1", "Deployment"), Deployment.GroupVersionKind);
        Assert.Equal(new Skiff.Api.Meta.GroupVersionKind("", "v1", "Pod"), Skiff.Api.Models.Core.V1.Pod.GroupVersionKind);
    }
}
