using System.Text.Json.Nodes;
using Skiff.ApiServer.CustomResources;

namespace Skiff.ApiServer.Tests.CustomResources;

/// <summary>additionalPrinterColumns: the JSONPath subset and typed cells.</summary>
public sealed class CustomResourceTableTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-01-01T00:10:00Z");

    private static readonly JsonObject Obj = JsonNode.Parse("""
        {"metadata":{"name":"w","creationTimestamp":"2026-01-01T00:00:00Z","labels":{"app.kubernetes.io/name":"web"}},
         "spec":{"replicas":3,"ratio":0.5,"paused":true,"image":"nginx","containers":[{"name":"a"},{"name":"b"}]}}
        """)!.AsObject();

    [Theory]
    [InlineData(".spec.image", "nginx")]
    [InlineData(".spec.containers[1].name", "b")]
    [InlineData(".metadata.labels.app\\.kubernetes\\.io/name", "web")]
    [InlineData(".metadata.labels['app.kubernetes.io/name']", "web")]
    [InlineData(".spec.missing", null)]
    [InlineData(".spec.containers[5].name", null)]
    public void PathsFindValues(string path, string? expected) =>
        Assert.Equal(expected, SimpleJsonPath.Find(Obj, path)?.GetValue<string>());

    [Fact]
    public void CellsAreTypedByTheColumn()
    {
        var table = new CustomResourceTable([
            new("Replicas", "integer", "", "", 0, ".spec.replicas"),
            new("Ratio", "number", "", "", 0, ".spec.ratio"),
            new("Paused", "boolean", "", "", 0, ".spec.paused"),
            new("Image", "string", "", "", 1, ".spec.image"),
            new("Count", "string", "", "", 0, ".spec.replicas"),
            new("Wrong", "integer", "", "", 0, ".spec.image"),
            new("Missing", "string", "", "", 0, ".spec.nothing"),
            new("Age", "date", "", "", 0, ".metadata.creationTimestamp"),
        ]);
        Assert.Equal(["Name", "Replicas", "Ratio", "Paused", "Image", "Count", "Wrong", "Missing", "Age"], table.Columns.Select(c => c.Name));
        Assert.Equal(1, table.Columns[4].Priority);
        Assert.Equal(new object?[] { "w", 3L, 0.5, true, "nginx", "3", null, null, "10m" }, table.Cells(Obj, Now));
    }

    [Fact]
    public void WithoutColumnsTheTableIsNameAndAge()
    {
        var table = new CustomResourceTable([]);
        Assert.Equal(["Name", "Age"], table.Columns.Select(c => c.Name));
        Assert.Equal(new object?[] { "w", "10m" }, table.Cells(Obj, Now));
    }

    [Theory]
    [InlineData(".spec.a", null)]
    [InlineData("spec.a", "must be a simple json path starting with .")]
    [InlineData(".spec.", "must be a json path in the dot notation")]
    public void PathsAreChecked(string path, string? problem) => Assert.Equal(problem, SimpleJsonPath.Check(path));
}
