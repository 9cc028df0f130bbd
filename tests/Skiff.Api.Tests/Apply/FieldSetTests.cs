using System.Text.Json.Nodes;
using Skiff.Api.FieldManagement;

namespace Skiff.Api.Tests.FieldManagement;

public sealed class FieldSetTests
{
    // managedFields[0].fieldsV1 of a Deployment made by `kubectl create deployment nginx-0930 --image=nginx`,
    // as a 1.31 API server returned it (seen in a public kubectl -v=9 log).
    internal const string KubectlCreateDeployment =
        """{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:progressDeadlineSeconds":{},"f:replicas":{},"f:revisionHistoryLimit":{},"f:selector":{},"f:strategy":{"f:rollingUpdate":{".":{},"f:maxSurge":{},"f:maxUnavailable":{}},"f:type":{}},"f:template":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:imagePullPolicy":{},"f:name":{},"f:resources":{},"f:terminationMessagePath":{},"f:terminationMessagePolicy":{}}},"f:dnsPolicy":{},"f:restartPolicy":{},"f:schedulerName":{},"f:securityContext":{},"f:terminationGracePeriodSeconds":{}}}}}""";

    // The deployment controller's status entry from the same kind of public log.
    private const string ControllerStatus =
        """{"f:metadata":{"f:annotations":{".":{},"f:deployment.kubernetes.io/revision":{}}},"f:status":{"f:availableReplicas":{},"f:conditions":{".":{},"k:{\"type\":\"Available\"}":{".":{},"f:lastTransitionTime":{},"f:lastUpdateTime":{},"f:message":{},"f:reason":{},"f:status":{},"f:type":{}},"k:{\"type\":\"Progressing\"}":{".":{},"f:lastTransitionTime":{},"f:lastUpdateTime":{},"f:message":{},"f:reason":{},"f:status":{},"f:type":{}}},"f:observedGeneration":{},"f:readyReplicas":{},"f:replicas":{},"f:updatedReplicas":{}}}""";

    private const string PortsAndEnv =
        """{"f:spec":{"f:containers":{"k:{\"name\":\"demo\"}":{".":{},"f:env":{".":{},"k:{\"name\":\"A\"}":{".":{},"f:name":{},"f:value":{}}},"f:ports":{".":{},"k:{\"containerPort\":8089,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{},"f:protocol":{}}}}}}}""";

    [Theory]
    [InlineData(KubectlCreateDeployment)]
    [InlineData(ControllerStatus)]
    [InlineData(PortsAndEnv)]
    public void UpstreamFieldsV1RoundTripsByteForByte(string json)
    {
        var set = FieldSet.ParseFieldsV1(json);
        Assert.Equal(json, set.ToFieldsV1Json());
        Assert.Equal(json, FieldSet.FromFieldsV1(set.ToFieldsV1()).ToFieldsV1Json());
    }

    [Fact]
    public void MembersAndChildrenFollowTheDotMarker()
    {
        var set = FieldSet.ParseFieldsV1(ControllerStatus);
        Assert.True(set.Has(FieldPath.Of("metadata", "annotations")));
        Assert.False(set.Has(FieldPath.Of("metadata")));
        Assert.False(set.Has(FieldPath.Of("status")));
        var available = new FieldPath([PathElement.Field("status"), PathElement.Field("conditions"),
            PathElement.ForKey([KeyValuePair.Create("type", (JsonNode?)JsonValue.Create("Available"))])]);
        Assert.True(set.Has(available));
        Assert.Equal(".status.conditions[type=\"Available\"]", available.ToString());
    }

    [Fact]
    public void ParsingSortsOutOfOrderInputAndWritesUpstreamOrder()
    {
        var set = FieldSet.ParseFieldsV1("""{"f:b":{},"v:\"x\"":{},"i:3":{},"f:a":{"f:z":{},".":{}},"k:{\"b\":1,\"a\":\"q\"}":{}}""");
        Assert.Equal("""{"f:a":{".":{},"f:z":{}},"f:b":{},"k:{\"a\":\"q\",\"b\":1}":{},"v:\"x\"":{},"i:3":{}}""", set.ToFieldsV1Json());
    }

    [Fact]
    public void UnknownPrefixesAreDroppedAndMalformedKeysRejected()
    {
        Assert.Equal("""{"f:a":{}}""", FieldSet.ParseFieldsV1("""{"f:a":{},"z:b":{}}""").ToFieldsV1Json());
        Assert.Throws<FormatException>(() => FieldSet.ParseFieldsV1("""{"fa":{}}"""));
    }

    [Fact]
    public void SetAlgebraIsPathWise()
    {
        var a = FieldSet.Of(FieldPath.Of("spec", "replicas"), FieldPath.Of("spec", "paused"), FieldPath.Of("metadata", "labels"));
        var b = FieldSet.Of(FieldPath.Of("spec", "replicas"), FieldPath.Of("metadata"));
        Assert.Equal("""{"f:spec":{"f:replicas":{}}}""", a.Intersection(b).ToFieldsV1Json());
        Assert.Equal("""{"f:metadata":{"f:labels":{}},"f:spec":{"f:paused":{}}}""", a.Difference(b).ToFieldsV1Json());
        Assert.Equal("""{"f:spec":{"f:paused":{}}}""", a.RecursiveDifference(b).ToFieldsV1Json());
        Assert.Equal("""{"f:metadata":{".":{},"f:labels":{}},"f:spec":{"f:paused":{},"f:replicas":{}}}""", a.Union(b).ToFieldsV1Json());
    }

    [Fact]
    public void ValuesSortNumbersBeforeStringsBeforeBooleans()
    {
        var set = FieldSet.Of(
            new FieldPath([PathElement.Field("s"), PathElement.ForValue(JsonValue.Create(true))]),
            new FieldPath([PathElement.Field("s"), PathElement.ForValue(JsonValue.Create("b"))]),
            new FieldPath([PathElement.Field("s"), PathElement.ForValue(JsonValue.Create(2))]),
            new FieldPath([PathElement.Field("s"), PathElement.ForValue(JsonValue.Create("a<b"))]));
        Assert.Equal("""{"f:s":{"v:2":{},"v:\"a\\u003cb\"":{},"v:\"b\"":{},"v:true":{}}}""", set.ToFieldsV1Json());
    }
}
