using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Tables;

/// <summary>One column of a meta.k8s.io Table. <see cref="Priority"/> 0 is shown by default,
/// 1 only with <c>kubectl get -o wide</c>.</summary>
public sealed record TableColumnDefinition(string Name, string Type, string Format, string Description, int Priority = 0);

/// <summary>A row condition; upstream marks finished pods "Completed" so clients may hide them.</summary>
public sealed record TableRowCondition(string Type, string Status, string Reason, string Message);

/// <summary>
/// Turns objects of one resource into Table rows, the server-side printing kubectl relies on.
/// Implementations are stateless and safe to call from many requests at once.
/// </summary>
public interface ITableConvertor
{
    /// <summary>All columns, wide ones included: the server always sends every column and the client
    /// hides priority-1 columns unless asked for -o wide.</summary>
    IReadOnlyList<TableColumnDefinition> Columns { get; }

    /// <summary>The cells of the row for <paramref name="obj"/>, one per column: string, long, bool or null.
    /// Ages are computed against <paramref name="now"/>.</summary>
    object?[] Cells(JsonObject obj, DateTimeOffset now);

    /// <summary>Row conditions for <paramref name="obj"/>; empty for most kinds.</summary>
    IReadOnlyList<TableRowCondition> Conditions(JsonObject obj);
}

/// <summary>An <see cref="ITableConvertor"/> made of a column list and a row function.</summary>
public sealed class TableConvertor(
    IReadOnlyList<TableColumnDefinition> columns,
    Func<JsonObject, DateTimeOffset, object?[]> cells,
    Func<JsonObject, IReadOnlyList<TableRowCondition>>? conditions = null) : ITableConvertor
{
    public IReadOnlyList<TableColumnDefinition> Columns { get; } = columns;
    public object?[] Cells(JsonObject obj, DateTimeOffset now) => cells(obj, now);
    public IReadOnlyList<TableRowCondition> Conditions(JsonObject obj) => conditions?.Invoke(obj) ?? [];
}

/// <summary>Column definitions shared by most tables.</summary>
internal static class Col
{
    public static readonly TableColumnDefinition Name = new("Name", "string", "name", "Name of the object, unique within its namespace.");
    public static readonly TableColumnDefinition Age = new("Age", "string", "", "Time since the object was created.");

    public static TableColumnDefinition Str(string name, string description) => new(name, "string", "", description);
    public static TableColumnDefinition Int(string name, string description) => new(name, "integer", "", description);
    public static TableColumnDefinition Bool(string name, string description) => new(name, "boolean", "", description);
    public static TableColumnDefinition Wide(string name, string description) => new(name, "string", "", description, 1);

    public static readonly TableColumnDefinition Containers = Wide("Containers", "Names of the containers in the pod template.");
    public static readonly TableColumnDefinition Images = Wide("Images", "Images of the containers in the pod template.");
    public static readonly TableColumnDefinition Selector = Wide("Selector", "Label selector of the pods this object manages.");
}
