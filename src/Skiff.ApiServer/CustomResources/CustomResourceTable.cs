using System.Globalization;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Tables;

namespace Skiff.ApiServer.CustomResources;

/// <summary>
/// Server-side printing of custom objects from a version's additionalPrinterColumns, as upstream's CRD
/// table convertor: Name first, then one cell per column read with its JSONPath and typed by the
/// column type (a "date" becomes an age such as 5m); without columns, Name and Age. A value of the
/// wrong type gives an empty cell. Immutable; thread-safe.
/// </summary>
public sealed class CustomResourceTable : ITableConvertor
{
    private static readonly TableColumnDefinition NameColumn =
        new("Name", "string", "name", "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names");

    private static readonly CrdColumn AgeColumn = new("Age", "date", "",
        "CreationTimestamp is a timestamp representing the server time when this object was created.", 0, ".metadata.creationTimestamp");

    private readonly IReadOnlyList<CrdColumn> _columns;

    public CustomResourceTable(IReadOnlyList<CrdColumn> columns)
    {
        _columns = columns.Count > 0 ? columns : [AgeColumn];
        Columns = [NameColumn, .. _columns.Select(c => new TableColumnDefinition(c.Name, c.Type, c.Format, c.Description, c.Priority))];
    }

    public IReadOnlyList<TableColumnDefinition> Columns { get; }

    public object?[] Cells(JsonObject obj, DateTimeOffset now)
    {
        var cells = new object?[_columns.Count + 1];
        cells[0] = Json.Name(obj);
        for (var i = 0; i < _columns.Count; i++)
            cells[i + 1] = Cell(_columns[i].Type, SimpleJsonPath.Find(obj, _columns[i].JsonPath), now);
        return cells;
    }

    public IReadOnlyList<TableRowCondition> Conditions(JsonObject obj) => [];

    /// <summary>The cell for a value under a column type (upstream's cellForJSONValue; strings print any scalar).</summary>
    public static object? Cell(string type, JsonNode? value, DateTimeOffset now)
    {
        if (value is null) return null;
        var kind = value.GetValueKind();
        switch (type)
        {
            case "integer" when CrdSchema.TryNumber(value, out var i):
                return (long)i;
            case "number" when CrdSchema.TryNumber(value, out var n):
                return n;
            case "boolean" when kind is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False:
                return value.GetValue<bool>();
            case "string":
                return kind == System.Text.Json.JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
            case "date" when kind == System.Text.Json.JsonValueKind.String:
                return DateTimeOffset.TryParse(value.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
                    ? HumanDuration.Since(t, now)
                    : "<invalid>";
            default:
                return null;
        }
    }
}
