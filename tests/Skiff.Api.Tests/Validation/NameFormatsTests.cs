using Skiff.Api.Validation;

namespace Skiff.Api.Tests.Validation;

public class NameFormatsTests
{
    private const string SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    private const string LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    [Theory]
    [InlineData("example.com")]
    [InlineData("a")]
    [InlineData("my-app.v2")]
    public void Valid_subdomains_pass(string name) => Assert.Empty(NameFormats.IsDns1123Subdomain(name));

    [Theory]
    [InlineData("Foo")]
    [InlineData("-a")]
    [InlineData("a-")]
    [InlineData("a..b")]
    [InlineData("a_b")]
    [InlineData("a\n")]
    public void Invalid_subdomains_get_upstreams_message(string name) =>
        Assert.Equal([SubdomainMessage], NameFormats.IsDns1123Subdomain(name));

    [Fact]
    public void Long_subdomain_reports_length_and_nothing_else_when_syntax_is_fine() =>
        Assert.Equal(["must be no more than 253 characters"], NameFormats.IsDns1123Subdomain(new string('a', 254)));

    [Fact]
    public void Label_message_keeps_upstreams_double_space() =>
        Assert.Equal([LabelMessage], NameFormats.IsDns1123Label("a.b"));

    [Fact]
    public void Label_is_limited_to_63_characters()
    {
        Assert.Empty(NameFormats.IsDns1123Label(new string('a', 63)));
        Assert.Equal(["must be no more than 63 characters"], NameFormats.IsDns1123Label(new string('a', 64)));
    }

    [Fact]
    public void Dns1035_label_must_start_with_a_letter()
    {
        Assert.Empty(NameFormats.IsDns1035Label("my-svc"));
        Assert.Equal(
            ["a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"],
            NameFormats.IsDns1035Label("1svc"));
    }

    [Theory]
    [InlineData("app")]
    [InlineData("app.kubernetes.io/name")]
    [InlineData("My_Key.1")]
    public void Valid_qualified_names_pass(string key) => Assert.Empty(NameFormats.IsQualifiedName(key));

    [Fact]
    public void Qualified_name_with_empty_prefix()
    {
        var errs = NameFormats.IsQualifiedName("/name");
        Assert.Equal(["prefix part must be non-empty"], errs);
    }

    [Fact]
    public void Qualified_name_with_bad_prefix_prefixes_each_message() =>
        Assert.Equal(["prefix part " + SubdomainMessage], NameFormats.IsQualifiedName("Bad_Prefix/name"));

    [Fact]
    public void Qualified_name_with_two_slashes()
    {
        var errs = NameFormats.IsQualifiedName("a/b/c");
        Assert.Single(errs);
        Assert.StartsWith("a qualified name must consist of alphanumeric characters, '-', '_' or '.'", errs[0]);
        Assert.EndsWith("with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')", errs[0]);
    }

    [Fact]
    public void Qualified_name_part_too_long()
    {
        var errs = NameFormats.IsQualifiedName(new string('a', 64));
        Assert.Equal(["name part must be no more than 63 characters"], errs);
    }

    [Fact]
    public void Label_values_may_be_empty_but_not_end_with_a_dash()
    {
        Assert.Empty(NameFormats.IsValidLabelValue(""));
        Assert.Equal(
            ["a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"],
            NameFormats.IsValidLabelValue("bad-"));
    }

    [Theory]
    [InlineData("..", "may not be '..'")]
    [InlineData(".", "may not be '.'")]
    [InlineData("a/b", "may not contain '/'")]
    [InlineData("a%b", "may not contain '%'")]
    public void Path_segment_names(string name, string message) =>
        Assert.Equal([message], NameFormats.IsValidPathSegmentName(name));

    [Fact]
    public void Path_segment_prefix_only_checks_characters()
    {
        Assert.Empty(NameFormats.IsValidPathSegmentName("..", prefix: true));
        Assert.Equal(["may not contain '/'"], NameFormats.IsValidPathSegmentName("a/", prefix: true));
    }

    [Fact]
    public void Generate_name_may_end_with_a_dash()
    {
        Assert.Empty(NameRule.DnsSubdomain.Check("web-", prefix: true));
        Assert.NotEmpty(NameRule.DnsSubdomain.Check("web-", prefix: false));
    }

    [Theory]
    [InlineData("", "namespaces", NameRule.DnsLabel)]
    [InlineData("", "services", NameRule.Dns1035Label)]
    [InlineData("", "pods", NameRule.DnsSubdomain)]
    [InlineData("apps", "deployments", NameRule.DnsSubdomain)]
    [InlineData("rbac.authorization.k8s.io", "roles", NameRule.PathSegment)]
    [InlineData("rbac.authorization.k8s.io", "clusterrolebindings", NameRule.PathSegment)]
    public void Resources_use_upstreams_name_rule(string group, string resource, NameRule rule) =>
        Assert.Equal(rule, ResourceNameRules.For(new(group, resource)));

    [Fact]
    public void Rbac_names_may_contain_colons() =>
        Assert.Empty(NameRule.PathSegment.Check("system:controller:deployment-controller"));
}
