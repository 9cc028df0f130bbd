using System.Text.Json.Nodes;
using Skiff.Api.Json;

namespace Skiff.ApiServer.Tables;

/// <summary>
/// The table kube-apiserver serves for kinds without a printer (roles, cluster roles, limit ranges,
/// custom resources without printer columns, CRDs): NAME and CREATED AT, the creation time in RFC 3339
/// UTC, a "date" column that kubectl turns into an age.
/// </summary>
public sealed class GenericTableConvertor : ITableConvertor
{
    public static GenericTableConvertor Instance { get; } = new();

    private GenericTableConvertor() { }

    public IReadOnlyList<TableColumnDefinition> Columns { get; } =
    [
        Col.Name,
        new("Created At", "date", "", "Time the object was created."),
    ];

    public object?[] Cells(JsonObject obj, DateTimeOffset now) =>
    [
        Json.Name(obj),
        // Go prints a zero creation time as "0001-01-01T00:00:00Z"; keep that for objects without one.
        KubernetesTime.FormatTime(Json.Created(obj) ?? DateTimeOffset.MinValue),
    ];

    public IReadOnlyList<TableRowCondition> Conditions(JsonObject obj) => [];
}
