using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.Api.Validation.Kinds;

namespace Skiff.Api.Tests;

public sealed class KindValidatorTests
{
    private static JsonObject J(string json) => JsonNode.Parse(json)!.AsObject();

    private static string[] Errors(string group, string kind, string json) =>
        KindValidator.Validate(group, kind, J(json)).Select(e => $"{e.Field}: {e.Message}").ToArray();

    private const string GoodPod = """{"spec":{"containers":[{"name":"c","image":"busybox"}]}}""";

    [Fact]
    public void AValidPodPasses() => Assert.Empty(Errors("", "Pod", GoodPod));

    [Fact]
    public void PodContainersNeedNamesImagesAndValidPorts()
    {
        var errors = Errors("", "Pod", """
            {"spec":{"restartPolicy":"Sometimes","containers":[
              {"name":"Web","ports":[{"containerPort":70000,"protocol":"HTTP"}],"env":[{"name":"1X","value":"v"}]},
              {"name":"Web","image":"b","volumeMounts":[{"name":"data","mountPath":"/d"}]}]}}
            """);
        Assert.Contains("spec.containers[0].name: Invalid value: \"Web\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')", errors);
        Assert.Contains("spec.containers[0].image: Required value", errors);
        Assert.Contains("spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive", errors);
        Assert.Contains("spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"", errors);
        Assert.Contains(errors, e => e.StartsWith("spec.containers[0].env[0].name: Invalid value: \"1X\": a valid environment variable name"));
        Assert.Contains("spec.containers[1].name: Duplicate value: \"Web\"", errors);
        Assert.Contains("spec.containers[1].volumeMounts[0].name: Not found: \"data\"", errors);
        Assert.Contains("spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"", errors);
    }

    [Fact]
    public void APodWithoutContainersOrWithAnEmptyVolumeIsInvalid()
    {
        Assert.Equal(["spec.containers: Required value"], Errors("", "Pod", """{"spec":{}}"""));
        Assert.Equal(["spec.volumes[0]: Required value: must specify a volume type"],
            Errors("", "Pod", """{"spec":{"containers":[{"name":"c","image":"b"}],"volumes":[{"name":"v"}]}}"""));
    }

    private const string Template = "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"b\"}]}}";

    private static string[] Deployment(string specFields) => Errors("apps", "Deployment", "{\"spec\":{" + specFields + Template + "}}");

    [Fact]
    public void ADeploymentSelectorMustSelectItsTemplate()
    {
        Assert.Empty(Deployment("\"replicas\":1,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"));
        Assert.Contains("spec.template.metadata.labels: Invalid value: {\"app\":\"web\"}: `selector` does not match template `labels`",
            Deployment("\"selector\":{\"matchLabels\":{\"app\":\"api\"}},"));
        Assert.Contains("spec.selector: Required value", Deployment(""));
        Assert.Contains("spec.replicas: Invalid value: -1: must be greater than or equal to 0",
            Deployment("\"replicas\":-1,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"));
        Assert.Contains(Deployment("\"selector\":{},"), e => e.EndsWith("empty selector is invalid for deployment"));
    }

    [Fact]
    public void WorkloadTemplatesRestartAlwaysAndJobsNever()
    {
        Assert.Contains("spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"",
            Errors("apps", "ReplicaSet", """{"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"b"}]}}}}"""));
        Assert.Contains("spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"",
            Errors("batch", "Job", """{"spec":{"template":{"spec":{"restartPolicy":"Always","containers":[{"name":"c","image":"b"}]}}}}"""));
    }

    [Theory]
    [InlineData("*/5 * * * *", null)]
    [InlineData("0 3 * * mon-fri", null)]
    [InlineData("@hourly", null)]
    [InlineData("* * * *", "expected exactly 5 fields, found 4: * * * *")]
    [InlineData("61 * * * *", "end of range (61) above maximum (59): 61")]
    [InlineData("0 0 0 * *", "beginning of range (0) below minimum (1): 0")]
    public void CronSchedulesAreChecked(string schedule, string? problem) => Assert.Equal(problem, CronSchedule.Check(schedule));

    [Fact]
    public void ServicePortsAreValidatedAsUpstreamDoes()
    {
        Assert.Empty(Errors("", "Service", """{"spec":{"ports":[{"port":80,"targetPort":"http"}]}}"""));
        Assert.Equal(["spec.ports: Required value"], Errors("", "Service", """{"spec":{"type":"ClusterIP"}}"""));
        var errors = Errors("", "Service", """{"spec":{"type":"Weird","ports":[{"name":"a","port":0},{"port":80,"protocol":"TCP"},{"name":"a","port":80}]}}""");
        Assert.Contains("spec.type: Unsupported value: \"Weird\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"", errors);
        Assert.Contains("spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive", errors);
        Assert.Contains("spec.ports[1].name: Required value", errors);
        Assert.Contains("spec.ports[2].name: Duplicate value: \"a\"", errors);
        Assert.Contains(errors, e => e.StartsWith("spec.ports[2]: Duplicate value"));
        Assert.Empty(Errors("", "Service", """{"spec":{"type":"ExternalName","externalName":"example.com"}}"""));
    }

    [Fact]
    public void ConfigKeysAndTypedSecretsAreChecked()
    {
        Assert.Contains(Errors("", "ConfigMap", """{"data":{"bad key":"v"}}"""), e => e.StartsWith("data[bad key]: Invalid value: \"bad key\": a valid config key"));
        Assert.Contains("binaryData[k]: Invalid value: \"k\": duplicate of key present in data", Errors("", "ConfigMap", """{"data":{"k":"v"},"binaryData":{"k":"dg=="}}"""));
        Assert.Equal(["data[tls.key]: Required value"], Errors("", "Secret", """{"type":"kubernetes.io/tls","data":{"tls.crt":"eA=="}}"""));
    }
}

public sealed class KindValidatorInMemoryTests
{
    [Fact]
    public void NumbersBuiltInMemoryAreReadLikeParsedOnes()
    {
        // The server builds some objects itself (the kubernetes Service) with int values, not parsed JSON.
        var svc = new JsonObject
        {
            ["spec"] = new JsonObject { ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = 443, ["targetPort"] = 6443 }) },
        };
        Assert.Empty(KindValidator.Validate("", "Service", svc));
    }
}
