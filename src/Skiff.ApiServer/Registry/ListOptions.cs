using Skiff.Api.Selectors;

namespace Skiff.ApiServer.Registry;

/// <summary>The query options of list and watch requests, parsed and checked.</summary>
public sealed record ListOptions
{
    public LabelSelector LabelSelector { get; init; } = LabelSelector.Everything;
    public FieldSelector FieldSelector { get; init; } = FieldSelector.Everything;
    public long Limit { get; init; }
    public string? Continue { get; init; }
    /// <summary>null = unset (most recent, consistent); "0" = any; otherwise a revision.</summary>
    public string? ResourceVersion { get; init; }
    /// <summary>"", "Exact" or "NotOlderThan".</summary>
    public string ResourceVersionMatch { get; init; } = "";
    public int? TimeoutSeconds { get; init; }
    public bool AllowWatchBookmarks { get; init; }
    public bool? SendInitialEvents { get; init; }
}

/// <summary>One page of a list: objects at <see cref="Revision"/>.</summary>
public sealed record ListPage(List<System.Text.Json.Nodes.JsonObject> Items, long Revision, string? Continue, long? RemainingItemCount);
