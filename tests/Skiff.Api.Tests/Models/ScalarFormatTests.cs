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
        var port = ModelJson.Deserialize<Skiff.Api.Models.Core.V1.ServicePort>(json)!;
        Assert.Equal(json, ModelJson.Serialize(port));
    }

    [Fact]
    public void IntOrString_exposes_which_form_it_holds()
    {
        var port = ModelJson.Deserialize<Skiff.Api.Models.Core.V1.ServicePort>("""{"targetPort":"80"}""")!;
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
        var resources = ModelJson.Deserialize<Skiff.Api.Models.Core.V1.ResourceRequirements>(json)!;
        Assert.Equal(json, ModelJson.Serialize(resources));
    }

    [Fact]
    public void Quantity_sent_as_a_number_is_written_back_as_a_string()
    {
        var resources = ModelJson.Deserialize<Skiff.Api.Models.Core.V1.ResourceRequirements>("""{"limits":{"cpu":2.50}}""")!;
        Assert.Equal("2.50", resources.Limits!["cpu"].Value);
        Assert.Equal("""{"limits":{"cpu":"2.50"}}""", ModelJson.Serialize(resources));
    }

    [Fact]
    public void Time_round_trips_at_whole_seconds_in_UTC()
    {
        const string json = """{"creationTimestamp":"2026-01-02T03:04:05Z"}""";
        var meta = ModelJson.Deserialize<Skiff.Api.Models.Meta.V1.ObjectMeta>(json)!;
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), meta.CreationTimestamp);
        Assert.Equal(json, ModelJson.Serialize(meta));
    }

    [Fact]
    public void Time_with_an_offset_or_fraction_is_written_as_UTC_seconds()
    {
        var meta = ModelJson.Deserialize<Skiff.Api.Models.Meta.V1.ObjectMeta>("""{"creationTimestamp":"2026-01-02T05:04:05.987+02:00"}""")!;
        Assert.Equal("""{"creationTimestamp":"2026-01-02T03:04:05Z"}""", ModelJson.Serialize(meta));
    }

    [Fact]
    public void MicroTime_round_trips_with_six_fractional_digits()
    {
        const string json = """{"holderIdentity":"a","renewTime":"2026-01-02T03:04:05.123456Z"}""";
        var spec = ModelJson.Deserialize<Skiff.Api.Models.Coordination.V1.LeaseSpec>(json)!;
        Assert.Equal(json, ModelJson.Serialize(spec));
    }

    [Fact]
    public void A_map_of_times_round_trips()
    {
        const string json = """{"disruptedPods":{"web-1":"2026-01-02T03:04:05Z"}}""";
        var status = ModelJson.Deserialize<Skiff.Api.Models.Policy.V1.PodDisruptionBudgetStatus>(json)!;
        Assert.Equal(json, ModelJson.Serialize(status));
    }

    [Fact]
    public void Bytes_are_base64_and_free_form_json_survives()
    {
        const string json = """{"apiVersion":"v1","data":{"k":"aGVsbG8="},"kind":"Secret"}""";
        var secret = ModelJson.Deserialize<Skiff.Api.Models.Core.V1.Secret>(json)!;
        Assert.Equal("hello"u8.ToArray(), secret.Data!["k"]);
        Assert.Equal(json, ModelJson.Serialize(secret));

        const string revision = """{"data":{"any":["json",1,{"x":null}]},"revision":2}""";
        var cr = ModelJson.Deserialize<Skiff.Api.Models.Apps.V1.ControllerRevision>(revision)!;
        Assert.Equal(revision, ModelJson.Serialize(cr));
    }
}
