using Skiff.Api.Meta;

namespace Skiff.Api.Tests.Meta;

public class DefaultApiVersionsTests
{
    [Theory]
    [InlineData("", "v1")]
    [InlineData("apps", "v1")]
    [InlineData("autoscaling", "v2")]
    [InlineData("autoscaling", "v1")]
    [InlineData("resource.k8s.io", "v1")]
    [InlineData("admissionregistration.k8s.io", "v1")]
    [InlineData("flowcontrol.apiserver.k8s.io", "v1")]
    public void Ga_versions_are_served_by_default(string group, string version) =>
        Assert.True(DefaultApiVersions.IsEnabledByDefault(new(group, version)));

    [Theory]
    [InlineData("admissionregistration.k8s.io", "v1beta1")]
    [InlineData("certificates.k8s.io", "v1beta1")]
    [InlineData("coordination.k8s.io", "v1beta1")]
    [InlineData("networking.k8s.io", "v1beta1")]
    [InlineData("resource.k8s.io", "v1beta1")]
    [InlineData("resource.k8s.io", "v1beta2")]
    [InlineData("storage.k8s.io", "v1beta1")]
    [InlineData("storagemigration.k8s.io", "v1beta1")]
    [InlineData("resource.k8s.io", "v1alpha3")]
    [InlineData("internal.apiserver.k8s.io", "v1alpha1")]
    public void Betas_and_alphas_are_off_by_default(string group, string version) =>
        Assert.False(DefaultApiVersions.IsEnabledByDefault(new(group, version)));

    [Fact]
    public void Storagemigration_is_not_served_at_all_by_default() =>
        Assert.DoesNotContain("storagemigration.k8s.io", DefaultApiVersions.Default.ServedGroups);

    [Fact]
    public void Preferred_version_is_the_highest_served()
    {
        Assert.Equal("v2", DefaultApiVersions.Default.PreferredVersion("autoscaling"));
        Assert.Equal("v1", DefaultApiVersions.Default.PreferredVersion("resource.k8s.io"));
        Assert.Null(DefaultApiVersions.Default.PreferredVersion("no.such.group"));
    }

    [Fact]
    public void Versions_sort_ga_then_beta_then_alpha() =>
        Assert.Equal(["v2", "v1", "v1beta2", "v1beta1", "v1alpha3", "v1alpha1", "foo"],
            DefaultApiVersions.OrderVersions(["v1alpha1", "foo", "v1beta1", "v1", "v1alpha3", "v2", "v1beta2"]));

    [Fact]
    public void Groups_follow_upstream_priority_with_apiregistration_first()
    {
        var groups = DefaultApiVersions.Default.ServedGroups;
        Assert.Equal("apiregistration.k8s.io", groups[0]);
        Assert.Equal("apps", groups[1]);
        Assert.Equal("events.k8s.io", groups[2]);
        Assert.DoesNotContain("", groups);
        // Same priority: ties broken by name.
        Assert.True(IndexOf(groups, "admissionregistration.k8s.io") < IndexOf(groups, "apiextensions.k8s.io"));
        Assert.True(IndexOf(groups, "discovery.k8s.io") < IndexOf(groups, "resource.k8s.io"));
        Assert.True(IndexOf(groups, "storage.k8s.io") < IndexOf(groups, "admissionregistration.k8s.io"));
        Assert.Equal("flowcontrol.apiserver.k8s.io", groups[^1]);
    }

    [Fact]
    public void Empty_runtime_config_is_the_default()
    {
        Assert.True(DefaultApiVersions.TryParseRuntimeConfig("", out var e, out var error), error);
        Assert.Equal(DefaultApiVersions.Default.ServedVersions, e.ServedVersions);
    }

    [Fact]
    public void A_version_can_be_switched_on_and_another_off()
    {
        Assert.True(DefaultApiVersions.TryParseRuntimeConfig("resource.k8s.io/v1alpha3=true,batch/v1=false", out var e, out var error), error);
        Assert.True(e.IsVersionEnabled(new("resource.k8s.io", "v1alpha3")));
        Assert.False(e.IsVersionEnabled(new("batch", "v1")));
        Assert.DoesNotContain("batch", e.ServedGroups);
        Assert.True(e.IsVersionEnabled(new("apps", "v1")));
    }

    [Fact]
    public void Missing_value_means_true() =>
        Assert.True(DefaultApiVersions.TryParseRuntimeConfig("storage.k8s.io/v1beta1", out var e, out _)
            && e.IsVersionEnabled(new("storage.k8s.io", "v1beta1")));

    [Fact]
    public void Api_all_applies_before_specific_entries_whatever_the_order()
    {
        Assert.True(DefaultApiVersions.TryParseRuntimeConfig("api/v1=true,api/all=false", out var e, out var error), error);
        Assert.Equal([new GroupVersion("", "v1")], e.ServedVersions);
    }

    [Fact]
    public void Api_all_true_serves_every_known_version()
    {
        Assert.True(DefaultApiVersions.TryParseRuntimeConfig("api/all=true", out var e, out _));
        Assert.Equal(DefaultApiVersions.Known.Count, e.ServedVersions.Count);
        Assert.Equal("v1", e.PreferredVersion("resource.k8s.io"));
    }

    [Fact]
    public void Api_beta_switches_on_betas_only()
    {
        Assert.True(DefaultApiVersions.TryParseRuntimeConfig("api/beta=true", out var e, out _));
        Assert.True(e.IsVersionEnabled(new("coordination.k8s.io", "v1beta1")));
        Assert.False(e.IsVersionEnabled(new("coordination.k8s.io", "v1alpha2")));
    }

    [Fact]
    public void Resource_entries_override_their_version()
    {
        Assert.True(DefaultApiVersions.TryParseRuntimeConfig("apps/v1/daemonsets=false,networking.k8s.io/v1beta1/servicecidrs=true", out var e, out var error), error);
        Assert.False(e.IsResourceEnabled(new("apps", "v1", "daemonsets")));
        Assert.True(e.IsResourceEnabled(new("apps", "v1", "deployments")));
        Assert.True(e.IsResourceEnabled(new("networking.k8s.io", "v1beta1", "servicecidrs")));
        Assert.False(e.IsResourceEnabled(new("networking.k8s.io", "v1beta1", "ipaddresses")));
        Assert.Contains(new GroupVersion("networking.k8s.io", "v1beta1"), e.ServedVersions);
    }

    [Fact]
    public void Unknown_groups_are_ignored() =>
        Assert.True(DefaultApiVersions.TryParseRuntimeConfig("example.com/v1=true", out _, out _));

    [Theory]
    [InlineData("batch/v9=true", "group version batch/v9 that has not been registered")]
    [InlineData("batch/v1=maybe", "invalid value of batch/v1: maybe")]
    [InlineData("nonsense=true", "invalid key nonsense")]
    public void Bad_entries_are_refused_with_a_message(string config, string message)
    {
        Assert.False(DefaultApiVersions.TryParseRuntimeConfig(config, out _, out var error));
        Assert.Equal(message, error);
    }

    private static int IndexOf(IReadOnlyList<string> list, string value) => list.ToList().IndexOf(value);
}
