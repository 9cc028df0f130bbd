namespace Skiff.Client.Informers;

/// <summary>Settings of informers. Immutable record; safe to share.</summary>
public sealed record SharedInformerOptions
{
    /// <summary>Drop metadata.managedFields before caching (controllers never read it; it is often half an object).</summary>
    public bool DropManagedFields { get; init; } = true;
    /// <summary>Page size of the (re)list.</summary>
    public int PageSize { get; init; } = 500;
    /// <summary>When set, every cached object is re-delivered as OnUpdate(obj, obj) this often; null: never.</summary>
    public TimeSpan? ResyncPeriod { get; init; }
    /// <summary>Label and field selectors of the list and watch.</summary>
    public Rest.ListOptions Selectors { get; init; } = Rest.ListOptions.Default;

    public static SharedInformerOptions Default { get; } = new();
}
