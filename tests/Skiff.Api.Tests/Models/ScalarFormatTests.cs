using System.Text.Json;
using Skiff.Api.Json;
using Skiff.Api.Models;

namespace Skiff.Api.Tests.Models;

public sealed class ScalarFormatTests
{
    [Theory]
    [InlineData("""{"port":80,"targetPort":80}""")]
    [InlineData("""{"port":80,"targetPort":"80"}""")]
    [InlineData("""{"port":80,"targetPort":"http"}""")]
    public void IntOrString_keeps_the_form_it_was_given(string json)
    {
        var port = JsonSerializer.Deserialize(json, SkiffJsonContext.Default.CoreV1ServicePort)!;
        Assert.Equal(json, JsonSerializer.Serialize(port, SkiffJsonContext.Default.CoreV1ServicePort));
    }

    [Fact]
    public void IntOrString_exposes_which_form_it_holds()
    {
        var port = JsonSerializer.Deserialize("""{"targetPort":"80"}""", SkiffJsonContext.Default.CoreV1ServicePort)!;
        Assert.True(port.TargetPort!.Value.IsString);
        Assert.Equal("80", port.TargetPort.Value.StringValue);
        Assert.False(IntOrString.FromInt(80).IsString);
        Assert.NotEqual(IntOrString.FromInt(80), IntOrString.FromString("80"));
    }

    [Theory]
    [InlineData("""{"limits":{"cpu":"500m","memory":"1Gi"},"requests":{"cpu":"0.5","memory":"1e3"}}""")]
    [InlineData("""{"limits":{"nvidia.com/gpu":"1","ephemeral-storage":"10G"}}""")]
    public void Quantity_keeps_its_exact_text(string json)
    {
        var resources = JsonSerializer.Deserialize(json, SkiffJsonContext.Default.CoreV1ResourceRequirements)!;
        Assert.Equal(json, JsonSerializer.Serialize(resources, SkiffJsonContext.Default.CoreV1ResourceRequirements));
    }

    [Fact]
    public void Quantity_sent_as_a_number_is_written_back_as_a_string()
    {
        var resources = JsonSerializer.Deserialize("""{"limits":{"cpu":2.50}}""", SkiffJsonContext.Default.CoreV1ResourceRequirements)!;
        Assert.Equal("2.50", resources.Limits!["cpu"].Value);
        Assert.Equal("""{"limits":{"cpu":"2.50"}}""", JsonSerializer.Serialize(resources, SkiffJsonContext.Default.CoreV1ResourceRequirements));
    }

    [Fact]
    public void Time_round_trips_at_whole_seconds_in_UTC()
    {
        const string json = """{"creationTimestamp":"2026-01-02T03:04:05Z"}""";
        var meta = JsonSerializer.Deserialize(json, SkiffJsonContext.Default.MetaV1ObjectMeta)!;
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), meta.CreationTimestamp);
        Assert.Equal(json, JsonSerializer.Serialize(meta, SkiffJsonContext.Default.MetaV1ObjectMeta));
    }

    [Fact]
    public void Time_with_an_offset_or_fraction_is_written_as_UTC_seconds()
    {
        var meta = JsonSerializer.Deserialize("""{"creationTimestamp":"2026-01-02T05:04:05.987+02:00"}""", SkiffJsonContext.Default.MetaV1ObjectMeta)!;
        Assert.Equal("""{"creationTimestamp":"2026-01-02T03:04:05Z"}""", JsonSerializer.Serialize(meta, SkiffJsonContext.Default.MetaV1ObjectMeta));
    }

    [Fact]
    public void MicroTime_round_trips_with_six_fractional_digits()
    {
        const string json = """{"holderIdentity":"a","renewTime":"2026-01-02T03:04:05.123456Z"}""";
        var spec = JsonSerializer.Deserialize(json, SkiffJsonContext.Default.CoordinationV1LeaseSpec)!;
        Assert.Equal(json, JsonSerializer.Serialize(spec, SkiffJsonContext.Default.CoordinationV1LeaseSpec));
    }

    [Fact]
    public void A_map_of_times_round_trips()
    {
        const string json = """{"disruptedPods":{"web-1":"2026-01-02T03:04:05Z"}}""";
        var status = JsonSerializer.Deserialize(json, SkiffJsonContext.Default.PolicyV1PodDisruptionBudgetStatus)!;
        Assert.Equal(json, JsonSerializer.Serialize(status, SkiffJsonContext.Default.PolicyV1PodDisruptionBudgetStatus));
    }

    [Fact]
    public void Bytes_are_base64_and_free_form_json_survives()
    {
        const string json = """{"apiVersion":"v1","data":{"k":"aGVsbG8="},"kind":"Secret"}""";
        var secret = JsonSerializer.Deserialize(json, SkiffJsonContext.Default.CoreV1Secret)!;
        Assert.Equal("hello"u8.ToArray(), secret.Data!["k"]);
        Assert.Equal(json, JsonSerializer.Serialize(secret, SkiffJsonContext.Default.CoreV1Secret));

        const string revision = """{"data":{"any":["json",1,{"x":null}]},"revision":2}""";
        var cr = JsonSerializer.Deserialize(revision, SkiffJsonContext.Default.AppsV1ControllerRevision)!;
        Assert.Equal(revision, JsonSerializer.Serialize(cr, SkiffJsonContext.Default.AppsV1ControllerRevision));
    }
}
