using Skiff.Api.Meta;
using Skiff.Api.Validation;

namespace Skiff.Api.Tests.Meta;

/// <summary>Keeps the hand-written tables honest against the 1.36 document: no version missing, no
/// resource name misspelt.</summary>
public class AgainstOpenApiDocumentTests
{
    [Fact]
    public void Known_versions_are_exactly_the_documents() =>
        Assert.Equal(OpenApiDocument.GroupVersions.OrderBy(v => v.ToString()), DefaultApiVersions.Known.OrderBy(v => v.ToString()));

    [Fact]
    public void Every_resource_with_short_names_or_categories_exists() =>
        Assert.All(ResourceNames.Described, r => Assert.Contains(r, OpenApiDocument.Resources));

    [Fact]
    public void Every_name_rule_exception_exists() =>
        Assert.All(ResourceNameRules.Exceptions, r => Assert.Contains(r, OpenApiDocument.Resources));

    [Fact]
    public void Every_group_of_the_document_has_a_priority_and_core_is_left_out_of_apis()
    {
        var ordered = DefaultApiVersions.OrderGroups(OpenApiDocument.GroupVersions.Select(v => v.Group));
        Assert.Equal(OpenApiDocument.GroupVersions.Select(v => v.Group).Where(g => g.Length > 0).Distinct().Count(), ordered.Count);
        Assert.Equal("apiregistration.k8s.io", ordered[0]);
        Assert.Equal("storagemigration.k8s.io", ordered[^1]);
    }
}
