using Skiff.Api.Selectors;

namespace Skiff.Api.Tests.Selectors;

public sealed class SelectorTests
{
    private static readonly Dictionary<string, string> Labels = new() { ["app"] = "web", ["tier"] = "front", ["n"] = "5" };

    [Theory]
    [InlineData("", true)]
    [InlineData("app=web", true)]
    [InlineData("app==web", true)]
    [InlineData("app=db", false)]
    [InlineData("app!=db", true)]
    [InlineData("missing!=x", true)]
    [InlineData("app in (db, web)", true)]
    [InlineData("app notin (web)", false)]
    [InlineData("tier", true)]
    [InlineData("!tier", false)]
    [InlineData("!missing", true)]
    [InlineData("app=web,tier=back", false)]
    [InlineData("app=web, tier in (front,back)", true)]
    [InlineData("n>3", true)]
    [InlineData("n<3", false)]
    [InlineData("example.com/key=v", false)]
    public void LabelSelectorsMatchAsUpstream(string selector, bool matches) =>
        Assert.Equal(matches, LabelSelector.Parse(selector).Matches(Labels));

    [Theory]
    [InlineData("app in web")]
    [InlineData("app in ()")]
    [InlineData("=web")]
    [InlineData("Bad Key=1")]
    [InlineData("app=-bad-")]
    public void BadLabelSelectorsAreRejected(string selector) =>
        Assert.Throws<FormatException>(() => LabelSelector.Parse(selector));

    [Fact]
    public void AnEmptyValueSelectsAnEmptyLabel()
    {
        var s = LabelSelector.Parse("a=");
        Assert.True(s.Matches(new Dictionary<string, string> { ["a"] = "" }));
        Assert.False(s.Matches(new Dictionary<string, string> { ["a"] = "x" }));
    }

    [Theory]
    [InlineData("metadata.name=x", "x", true)]
    [InlineData("metadata.name==x", "x", true)]
    [InlineData("metadata.name!=x", "x", false)]
    [InlineData("metadata.name=x,metadata.namespace=default", "x", true)]
    [InlineData("metadata.name=y", "x", false)]
    public void FieldSelectorsMatch(string selector, string name, bool matches)
    {
        var fields = new Dictionary<string, string> { ["metadata.name"] = name, ["metadata.namespace"] = "default" };
        Assert.Equal(matches, FieldSelector.Parse(selector).Matches(f => fields.GetValueOrDefault(f)));
    }

    [Fact]
    public void FieldSelectorValuesCanEscapeCommas()
    {
        var s = FieldSelector.Parse(@"reason=a\,b");
        Assert.Equal("a,b", s.Requirements.Single().Value);
    }

    [Fact]
    public void FieldSelectorWithoutOperatorIsRejected() =>
        Assert.Throws<FormatException>(() => FieldSelector.Parse("metadata.name"));
}
