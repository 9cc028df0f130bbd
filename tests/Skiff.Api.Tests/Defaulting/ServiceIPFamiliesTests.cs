using System.Text.Json.Nodes;
using Skiff.Api.Defaulting;
using static Skiff.Api.Tests.Defaulting.DefaultingAssert;

namespace Skiff.Api.Tests.Defaulting;

public class ServiceIPFamiliesTests
{
    private static readonly string[] SingleStack = ["IPv4"];
    private static readonly string[] DualStack = ["IPv4", "IPv6"];

    private static JsonObject Spec(string json, string[] cluster, string? oldJson = null)
    {
        var service = JsonNode.Parse(json)!.AsObject();
        var old = oldJson is null ? null : JsonNode.Parse(oldJson)!.AsObject();
        Defaulter.Apply("", "v1", "Service", service);
        ServiceIPFamilies.Apply(service, old, cluster);
        var once = service.DeepClone();
        ServiceIPFamilies.Apply(service, old, cluster);
        Assert.True(JsonNode.DeepEquals(once, service), "second Apply changed the service");
        return service["spec"]!.AsObject();
    }

    [Fact]
    public void A_plain_service_is_single_stack_in_the_primary_family()
    {
        var spec = Spec("""{"spec":{"selector":{"a":"b"},"ports":[{"port":80}]}}""", SingleStack);
        Assert.Equal("SingleStack", (string?)spec["ipFamilyPolicy"]);
        Equal("""["IPv4"]""", spec["ipFamilies"]);
        Assert.False(spec.ContainsKey("clusterIPs"));
    }

    [Fact]
    public void Headless_without_selector_requires_dual_stack_even_on_a_single_stack_cluster()
    {
        var spec = Spec("""{"spec":{"clusterIP":"None"}}""", SingleStack);
        Assert.Equal("RequireDualStack", (string?)spec["ipFamilyPolicy"]);
        Equal("""["IPv4","IPv6"]""", spec["ipFamilies"]);
        Equal("""["None"]""", spec["clusterIPs"]);

        var withSelector = Spec("""{"spec":{"clusterIP":"None","selector":{"a":"b"}}}""", SingleStack);
        Assert.Equal("SingleStack", (string?)withSelector["ipFamilyPolicy"]);
        Equal("""["IPv4"]""", withSelector["ipFamilies"]);
    }

    [Fact]
    public void Families_follow_given_cluster_ips_and_dual_stack_policies()
    {
        var v6 = Spec("""{"spec":{"clusterIP":"fd00::10"}}""", ["IPv6", "IPv4"]);
        Equal("""["fd00::10"]""", v6["clusterIPs"]);
        Equal("""["IPv6"]""", v6["ipFamilies"]);

        var prefer = Spec("""{"spec":{"ipFamilyPolicy":"PreferDualStack"}}""", DualStack);
        Equal("""["IPv4","IPv6"]""", prefer["ipFamilies"]);
        var preferSingle = Spec("""{"spec":{"ipFamilyPolicy":"PreferDualStack"}}""", SingleStack);
        Equal("""["IPv4"]""", preferSingle["ipFamilies"]);
    }

    [Fact]
    public void Updates_keep_the_stored_policy_and_external_names_get_nothing()
    {
        var spec = Spec("""{"spec":{"clusterIP":"10.43.0.5","clusterIPs":["10.43.0.5"]}}""", DualStack,
            """{"spec":{"ipFamilyPolicy":"PreferDualStack","ipFamilies":["IPv4"]}}""");
        Assert.Equal("PreferDualStack", (string?)spec["ipFamilyPolicy"]);
        Equal("""["IPv4","IPv6"]""", spec["ipFamilies"]);

        var name = Spec("""{"spec":{"type":"ExternalName","externalName":"x.example"}}""", SingleStack);
        Assert.False(name.ContainsKey("ipFamilyPolicy"));
        Assert.False(name.ContainsKey("ipFamilies"));
    }
}
