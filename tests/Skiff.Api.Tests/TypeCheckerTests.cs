using System.Text.Json.Nodes;
using Skiff.Api.Schema;
using Skiff.Api.Validation.FieldValidation;

namespace Skiff.Api.Tests;

public sealed class TypeCheckerTests
{
    private static string? Check(string definition, string json) =>
        TypeChecker.FirstMismatch(JsonNode.Parse(json)!.AsObject(), SchemaExtensions.Find(definition)!);

    private const string Pod = "io.k8s.api.core.v1.Pod";

    [Fact]
    public void AWellTypedPodPasses() =>
        Assert.Null(Check(Pod, """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i","ports":[{"containerPort":80}],"resources":{"limits":{"cpu":1,"memory":"1Gi"}},"livenessProbe":{"httpGet":{"port":"http"}}}],"terminationGracePeriodSeconds":null}}"""));

    [Fact]
    public void ABoolInAStringListIsRefusedAsGoWould() =>
        Assert.Equal("json: cannot unmarshal bool into Go struct field ExecAction.spec.containers.livenessProbe.exec.command of type string",
            Check(Pod, """{"spec":{"containers":[{"name":"c","livenessProbe":{"exec":{"command":[true]}}}]}}"""));

    [Theory]
    [InlineData("""{"spec":{"containers":"x"}}""", "json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container")]
    [InlineData("""{"spec":{"containers":[{"ports":[{"containerPort":"80"}]}]}}""", "json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32")]
    [InlineData("""{"spec":{"activeDeadlineSeconds":1.5}}""", "json: cannot unmarshal number 1.5 into Go struct field PodSpec.spec.activeDeadlineSeconds of type int64")]
    [InlineData("""{"metadata":{"labels":{"a":1}}}""", "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string")]
    [InlineData("""{"spec":{"hostNetwork":"yes"}}""", "json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool")]
    [InlineData("""{"spec":{"containers":[{"resources":{"limits":{"cpu":true}}}]}}""", "json: cannot unmarshal bool into Go struct field ResourceRequirements.spec.containers.resources.limits of type resource.Quantity")]
    public void MismatchesNameTheStructAndThePath(string json, string expected) => Assert.Equal(expected, Check(Pod, json));
}
