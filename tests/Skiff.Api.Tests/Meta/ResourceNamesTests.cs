using Skiff.Api.Meta;

namespace Skiff.Api.Tests.Meta;

public class ResourceNamesTests
{
    [Theory]
    [InlineData("", "pods", "po")]
    [InlineData("", "services", "svc")]
    [InlineData("", "configmaps", "cm")]
    [InlineData("", "namespaces", "ns")]
    [InlineData("", "nodes", "no")]
    [InlineData("", "persistentvolumeclaims", "pvc")]
    [InlineData("", "resourcequotas", "quota")]
    [InlineData("", "limitranges", "limits")]
    [InlineData("apps", "deployments", "deploy")]
    [InlineData("apps", "replicasets", "rs")]
    [InlineData("apps", "daemonsets", "ds")]
    [InlineData("apps", "statefulsets", "sts")]
    [InlineData("batch", "cronjobs", "cj")]
    [InlineData("networking.k8s.io", "ingresses", "ing")]
    [InlineData("networking.k8s.io", "networkpolicies", "netpol")]
    [InlineData("storage.k8s.io", "volumeattributesclasses", "vac")]
    [InlineData("scheduling.k8s.io", "priorityclasses", "pc")]
    public void Short_names_match_upstream(string group, string resource, string shortName) =>
        Assert.Equal([shortName], ResourceNames.ShortNames(new(group, resource)));

    [Fact]
    public void Crds_have_two_short_names_in_upstream_order() =>
        Assert.Equal(["crd", "crds"], ResourceNames.ShortNames(new("apiextensions.k8s.io", "customresourcedefinitions")));

    [Theory]
    [InlineData("", "secrets")]
    [InlineData("batch", "jobs")]
    [InlineData("apps", "controllerrevisions")]
    [InlineData("coordination.k8s.io", "leases")]
    public void Resources_without_short_names_have_none(string group, string resource) =>
        Assert.Empty(ResourceNames.ShortNames(new(group, resource)));

    [Theory]
    [InlineData("", "pods")]
    [InlineData("", "services")]
    [InlineData("", "replicationcontrollers")]
    [InlineData("apps", "deployments")]
    [InlineData("batch", "jobs")]
    [InlineData("batch", "cronjobs")]
    [InlineData("autoscaling", "horizontalpodautoscalers")]
    public void Workload_resources_are_in_category_all(string group, string resource) =>
        Assert.Equal(["all"], ResourceNames.Categories(new(group, resource)));

    [Theory]
    [InlineData("", "configmaps")]
    [InlineData("", "secrets")]
    [InlineData("", "persistentvolumeclaims")]
    public void Config_resources_are_not_in_all(string group, string resource) =>
        Assert.Empty(ResourceNames.Categories(new(group, resource)));

    [Theory]
    [InlineData("apiextensions.k8s.io", "customresourcedefinitions")]
    [InlineData("apiregistration.k8s.io", "apiservices")]
    [InlineData("admissionregistration.k8s.io", "validatingwebhookconfigurations")]
    [InlineData("admissionregistration.k8s.io", "mutatingadmissionpolicies")]
    public void Extension_points_are_in_api_extensions(string group, string resource) =>
        Assert.Equal(["api-extensions"], ResourceNames.Categories(new(group, resource)));

    [Theory]
    [InlineData("Pod", "pod")]
    [InlineData("Endpoints", "endpoints")]
    [InlineData("APIService", "apiservice")]
    [InlineData("CustomResourceDefinition", "customresourcedefinition")]
    public void Singular_is_lowercase_kind(string kind, string singular) =>
        Assert.Equal(singular, ResourceNames.Singular(new("", "x"), kind));
}
