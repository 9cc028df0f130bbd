using Skiff.Api.Meta;

namespace Skiff.ApiServer.Registry;

/// <summary>
/// A resource as this server serves it in one group/version: its discovery facts, where its
/// objects live in the store, and the small per-kind rules the generic handlers consult.
/// Immutable after construction; shared by all requests.
/// </summary>
public sealed class ServedResource
{
    public ServedResource(ApiResourceInfo info, IReadOnlyDictionary<string, ApiResourceInfo> subresources, ResourcePolicy policy)
    {
        Info = info;
        Subresources = subresources;
        Policy = policy;
        KeyPrefix = $"/registry/{(info.Group.Length == 0 ? "core" : info.Group)}/{info.Resource}/";
    }

    public ApiResourceInfo Info { get; }
    public IReadOnlyDictionary<string, ApiResourceInfo> Subresources { get; }
    public ResourcePolicy Policy { get; }

    /// <summary>The CRD version behind a custom resource; null for built-in resources.</summary>
    public CustomResources.CustomResourceType? Custom { get; init; }

    /// <summary>Store prefix shared by every version of this group/resource, ending in '/'.</summary>
    public string KeyPrefix { get; }

    public string Group => Info.Group;
    public string Version => Info.Version;
    public string Resource => Info.Resource;
    public string Kind => Info.Kind;
    public bool Namespaced => Info.Namespaced;
    public GroupResource GroupResource => Info.GroupResource;
    public string ApiVersion => Info.GroupVersion.ApiVersion;
    public bool HasStatus => Subresources.ContainsKey("status");

    /// <summary>The key of one object.</summary>
    public string Key(string ns, string name) => Namespaced ? $"{KeyPrefix}{ns}/{name}" : KeyPrefix + name;

    /// <summary>The prefix to list: one namespace, or everything when <paramref name="ns"/> is empty.</summary>
    public string ListPrefix(string ns) => Namespaced && ns.Length > 0 ? $"{KeyPrefix}{ns}/" : KeyPrefix;

    public override string ToString() => $"{ApiVersion}/{Resource}";
}

/// <summary>How a kind deviates from the generic rules (upstream's per-kind strategy flags).</summary>
public sealed record ResourcePolicy
{
    /// <summary>metadata.generation is set on create and bumped when anything outside metadata and status changes.</summary>
    public bool TracksGeneration { get; init; }
    /// <summary>PUT of a missing object creates it.</summary>
    public bool AllowCreateOnUpdate { get; init; }
    /// <summary>Status sent on create is kept instead of being reset.</summary>
    public bool KeepsStatusOnCreate { get; init; }
    /// <summary>Status set on create, when not kept (e.g. pods start Pending).</summary>
    public string InitialStatusJson { get; init; } = "{}";
    /// <summary>Field selector labels this kind supports beyond metadata.name and metadata.namespace.</summary>
    public IReadOnlyList<string> ExtraFieldLabels { get; init; } = [];
    /// <summary>A kind's own rewrite of every object written (e.g. Secret stringData folded into data).</summary>
    public Action<System.Text.Json.Nodes.JsonObject>? Normalize { get; init; }
    /// <summary>Graceful deletion: the grace period for a delete of this object given the requested one (null: never graceful).</summary>
    public Func<System.Text.Json.Nodes.JsonObject, long?, long>? GracePeriod { get; init; }
    /// <summary>A delete answers with the deleted object instead of a Status (upstream's ReturnDeletedObject).</summary>
    public bool ReturnDeletedObject { get; init; }

    public static readonly ResourcePolicy Default = new();
}
