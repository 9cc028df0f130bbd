using Skiff.Api.Meta;

namespace Skiff.ApiServer.Registry;

/// <summary>
/// The set of resources this server serves, by group/version/resource: the built-in catalog (fixed
/// at start) plus the custom resources of established CRDs, which come and go at run time.
/// <para>Thread-safety: readers never lock; every read sees one immutable snapshot, replaced
/// copy-on-write by <see cref="SetCustom"/> and <see cref="RemoveCustom"/> (writers serialise on a
/// lock). A caller that makes several reads may see different snapshots; take <see cref="All"/> or
/// <see cref="GroupVersions"/> once when consistency matters.</para>
/// </summary>
public sealed class ResourceRegistry
{
    private sealed record Snapshot(
        IReadOnlyDictionary<(string Group, string Version, string Resource), ServedResource> ByGvr,
        IReadOnlyList<GroupVersion> GroupVersions,
        IReadOnlyDictionary<string, IReadOnlyList<ServedResource>> CustomByOwner,
        long Version);

    private readonly IReadOnlyList<string> _groupOrder;
    private readonly Dictionary<(string, string, string), ServedResource> _builtin = new();
    private readonly Lock _writeLock = new();
    private Snapshot _snapshot;

    public ResourceRegistry(IEnumerable<ApiResourceInfo> catalog, Func<GroupVersion, bool> enabled, IReadOnlyList<string>? groupOrder = null)
    {
        var infos = catalog.Where(i => enabled(i.GroupVersion)).ToList();
        foreach (var main in infos.Where(i => i.Subresource is null))
        {
            var subs = infos.Where(s => s.Subresource is not null && s.Group == main.Group && s.Version == main.Version && s.Resource == main.Resource)
                .GroupBy(s => s.Subresource!).ToDictionary(g => g.Key, g => g.First());
            var served = new ServedResource(main, subs, ResourcePolicies.For(main.GroupResource));
            _builtin[(main.Group, main.Version, main.Resource)] = served;
        }
        _groupOrder = groupOrder ?? [];
        _snapshot = Build(new Dictionary<string, IReadOnlyList<ServedResource>>(), 0);
    }

    /// <summary>Raised (on the writer's thread) after the served set changed.</summary>
    public event Action? Changed;

    /// <summary>Increases with every change of the served set.</summary>
    public long Version => Volatile.Read(ref _snapshot).Version;

    /// <summary>
    /// Serves <paramref name="resources"/> on behalf of <paramref name="owner"/> (a CRD name), replacing
    /// what that owner served before. A resource whose group/version/resource is already served by a
    /// built-in or another owner is left out, so a CRD can never shadow something else.
    /// </summary>
    public void SetCustom(string owner, IReadOnlyList<ServedResource> resources)
    {
        lock (_writeLock)
        {
            var current = Volatile.Read(ref _snapshot);
            var owners = new Dictionary<string, IReadOnlyList<ServedResource>>(current.CustomByOwner);
            owners.Remove(owner);
            var taken = new HashSet<(string, string, string)>(_builtin.Keys);
            foreach (var r in owners.Values.SelectMany(x => x)) taken.Add((r.Group, r.Version, r.Resource));
            var mine = resources.Where(r => !taken.Contains((r.Group, r.Version, r.Resource))).ToList();
            if (mine.Count > 0) owners[owner] = mine;
            Volatile.Write(ref _snapshot, Build(owners, current.Version + 1));
        }
        Changed?.Invoke();
    }

    /// <summary>Stops serving what <paramref name="owner"/> served.</summary>
    public void RemoveCustom(string owner)
    {
        lock (_writeLock)
        {
            var current = Volatile.Read(ref _snapshot);
            if (!current.CustomByOwner.ContainsKey(owner)) return;
            var owners = new Dictionary<string, IReadOnlyList<ServedResource>>(current.CustomByOwner);
            owners.Remove(owner);
            Volatile.Write(ref _snapshot, Build(owners, current.Version + 1));
        }
        Changed?.Invoke();
    }

    /// <summary>What <paramref name="owner"/> serves now (empty when nothing).</summary>
    public IReadOnlyList<ServedResource> CustomOf(string owner) =>
        Volatile.Read(ref _snapshot).CustomByOwner.GetValueOrDefault(owner) ?? [];

    private Snapshot Build(Dictionary<string, IReadOnlyList<ServedResource>> owners, long version)
    {
        var byGvr = new Dictionary<(string, string, string), ServedResource>(_builtin);
        foreach (var r in owners.Values.SelectMany(x => x)) byGvr[(r.Group, r.Version, r.Resource)] = r;
        var order = _groupOrder;
        var groupVersions = byGvr.Values.Select(r => r.Info.GroupVersion).Distinct()
            .OrderBy(gv => gv.Group.Length == 0 ? -1 : order.IndexOf(gv.Group) is var i and >= 0 ? i : order.Count)
            .ThenBy(gv => gv.Group, StringComparer.Ordinal)
            .ThenBy(gv => VersionPriority(gv.Version))
            .ThenBy(gv => gv.Version, StringComparer.Ordinal)
            .ToList();
        return new Snapshot(byGvr, groupVersions, owners, version);
    }

    /// <summary>Served group/versions: core first, then groups in upstream's order (custom groups after
    /// the built-in ones), each group's versions newest-stable first (v2 before v1 before v1beta1 ...).</summary>
    public IReadOnlyList<GroupVersion> GroupVersions => Volatile.Read(ref _snapshot).GroupVersions;

    public IEnumerable<ServedResource> All => Volatile.Read(ref _snapshot).ByGvr.Values;

    public IEnumerable<ServedResource> InGroupVersion(GroupVersion gv) =>
        Volatile.Read(ref _snapshot).ByGvr.Values.Where(r => r.Group == gv.Group && r.Version == gv.Version).OrderBy(r => r.Resource, StringComparer.Ordinal);

    public ServedResource? Find(string group, string version, string resource) =>
        Volatile.Read(ref _snapshot).ByGvr.GetValueOrDefault((group, version, resource));

    /// <summary>The preferred version of a group: the first of its served versions.</summary>
    public string? PreferredVersion(string group) => GroupVersions.FirstOrDefault(g => g.Group == group).Version;

    /// <summary>The served version used for internal operations on a group/resource (its preferred version).</summary>
    public ServedResource? Preferred(GroupResource gr)
    {
        var snapshot = Volatile.Read(ref _snapshot);
        return snapshot.GroupVersions.Where(g => g.Group == gr.Group)
            .Select(g => snapshot.ByGvr.GetValueOrDefault((g.Group, g.Version, gr.Resource))).FirstOrDefault(r => r is not null);
    }

    /// <summary>Kubernetes version ordering: GA before beta before alpha, higher numbers first.</summary>
    public static (int Stability, int Major, int Minor) VersionPriority(string v)
    {
        var m = System.Text.RegularExpressions.Regex.Match(v, @"^v(\d+)(?:(alpha|beta)(\d+))?$");
        if (!m.Success) return (3, 0, 0);
        var major = int.Parse(m.Groups[1].Value);
        var stability = m.Groups[2].Value switch { "" => 0, "beta" => 1, _ => 2 };
        var minor = m.Groups[3].Success ? int.Parse(m.Groups[3].Value) : 0;
        return (stability, -major, -minor);
    }
}

internal static class ListExtensions
{
    public static int IndexOf(this IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++) if (list[i] == value) return i;
        return -1;
    }
}
