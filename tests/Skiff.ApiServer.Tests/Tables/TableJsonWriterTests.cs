using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Tables;
using static Skiff.ApiServer.Tests.Tables.TableTestKit;

namespace Skiff.ApiServer.Tests.Tables;

public class TableJsonWriterTests
{
    private static readonly JsonObject Pod = Parse("""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default","resourceVersion":"42","creationTimestamp":"@created@"},
         "spec":{"containers":[{"name":"c"}]},"status":{"phase":"Succeeded"}}
        """);

    private static JsonObject Write(TableWriteOptions? options, TableListMetadata? metadata = null, params JsonObject[] items)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
            TableJsonWriter.WriteTable(writer, TableConvertors.For(new("", "pods")), items, metadata ?? new(), Now, options);
        return JsonNode.Parse(Encoding.UTF8.GetString(buffer.ToArray()))!.AsObject();
    }

    [Fact]
    public void Writes_a_meta_v1_table_with_list_metadata()
    {
        var table = Write(null, new("1234", "token", 5), Pod);
        Assert.Equal("Table", (string?)table["kind"]);
        Assert.Equal("meta.k8s.io/v1", (string?)table["apiVersion"]);
        Assert.Equal("1234", (string?)table["metadata"]!["resourceVersion"]);
        Assert.Equal("token", (string?)table["metadata"]!["continue"]);
        Assert.Equal(5, (long?)table["metadata"]!["remainingItemCount"]);

        var columns = table["columnDefinitions"]!.AsArray();
        Assert.Equal(9, columns.Count);
        Assert.Equal("Name", (string?)columns[0]!["name"]);
        Assert.Equal("name", (string?)columns[0]!["format"]);
        Assert.Equal("", (string?)columns[1]!["format"]);
        Assert.Equal(1, (int?)columns[5]!["priority"]);
        Assert.NotNull(columns[0]!["description"]);
    }

    [Fact]
    public void Empty_list_metadata_is_an_empty_object_and_rows_an_empty_array()
    {
        var table = Write(null);
        Assert.Empty(table["metadata"]!.AsObject());
        Assert.Empty(table["rows"]!.AsArray());
    }

    [Fact]
    public void Rows_carry_cells_conditions_and_partial_metadata_by_default()
    {
        var row = Write(null, null, Pod)["rows"]![0]!.AsObject();
        Assert.Equal(["web", "0/1", "Succeeded", "0", "10m", "<none>", "<none>", "<none>", "<none>"],
            row["cells"]!.AsArray().Select(c => (string?)c));
        Assert.Equal("Completed", (string?)row["conditions"]![0]!["type"]);
        var obj = row["object"]!.AsObject();
        Assert.Equal("PartialObjectMetadata", (string?)obj["kind"]);
        Assert.Equal("meta.k8s.io/v1", (string?)obj["apiVersion"]);
        Assert.Equal("42", (string?)obj["metadata"]!["resourceVersion"]);
        Assert.Null(obj["spec"]);
    }

    [Fact]
    public void Include_object_writes_the_whole_object()
    {
        var obj = Write(new(IncludeObjectPolicy.Object), null, Pod)["rows"]![0]!["object"]!.AsObject();
        Assert.True(JsonNode.DeepEquals(Pod, obj));
    }

    [Fact]
    public void Include_none_writes_null_object()
    {
        var row = Write(new(IncludeObjectPolicy.None), null, Pod)["rows"]![0]!.AsObject();
        Assert.True(row.ContainsKey("object"));
        Assert.Null(row["object"]);
    }

    [Fact]
    public void No_headers_leaves_out_column_definitions()
    {
        var table = Write(new(NoHeaders: true), null, Pod);
        Assert.True(table.ContainsKey("columnDefinitions"));
        Assert.Null(table["columnDefinitions"]);
        Assert.Single(table["rows"]!.AsArray());
    }

    [Fact]
    public void Integer_and_boolean_cells_keep_their_json_types()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
            TableJsonWriter.WriteRow(writer, TableConvertors.For(new("storage.k8s.io", "csinodes")),
                Parse("""{"metadata":{"name":"n"},"spec":{"drivers":[{},{}]}}"""), Now);
        var cells = JsonNode.Parse(buffer.ToArray())!["cells"]!.AsArray();
        Assert.Equal(JsonValueKind.Number, cells[1]!.GetValueKind());
        Assert.Equal(2, (long)cells[1]!);
    }

    [Theory]
    [InlineData(null, IncludeObjectPolicy.Metadata)]
    [InlineData("", IncludeObjectPolicy.Metadata)]
    [InlineData("Object", IncludeObjectPolicy.Object)]
    [InlineData("None", IncludeObjectPolicy.None)]
    public void Include_object_parameter_values(string? value, IncludeObjectPolicy expected)
    {
        Assert.True(TableWriteOptions.TryParseIncludeObject(value, out var policy));
        Assert.Equal(expected, policy);
    }

    [Fact]
    public void Unknown_include_object_value_is_refused() =>
        Assert.False(TableWriteOptions.TryParseIncludeObject("object", out _));
}
