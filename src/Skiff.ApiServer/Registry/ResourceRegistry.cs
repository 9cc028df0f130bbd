using Skiff.Api.Meta;

namespace Skiff.ApiServer.Registry;

/// <summary>
/// The set of resources this server serves, by group/version/resource. Built once at start
/// from the generated catalog and the enabled group/versions; read concurrently without locks.
/// </summary>
public sealed class ResourceRegistry
{
    private readonly Dictionary<(string Group, string Version, string Resource), ServedResource> _byGvr = new();

    public ResourceRegistry(IEnumerable<ApiResourceInfo> catalog, Func<GroupVersion, bool> enabled, IReadOnlyList<string>? groupOrder = null)
    {
        var infos = catalog.Where(i => enabled(i.GroupVersion)).ToList();
        foreach (var main in infos.Where(i => i.Subresource is null))
        {
            var subs = infos.Where(s => s.Subresource is not null && s.Group == main.Group && s.Version == main.Version && s.Resource == main.Resource)
                .GroupBy(s => s.Subresource!).ToDictionary(g => g.Key, g => g.First());
            var served = new ServedResource(main, subs, ResourcePolicies.For(main.GroupResource));
            _byGvr[(main.Group, main.Version, main.Resource)] = served;
        }
        var order = groupOrder ?? [];
        GroupVersions = _byGvr.Values.Select(r => r.Info.GroupVersion).Distinct()
            .OrderBy(gv => gv.Group.Length == 0 ? -1 : order.IndexOf(gv.Group) is var i and >= 0 ? i : order.Count)
            .ThenBy(gv => gv.Group, StringComparer.Ordinal)
            .ThenBy(gv => VersionPriority(gv.Version))
            .ToList();
    }

    /// <summary>Served group/versions: core first, then groups in upstream's order, each group's
    /// versions newest-stable first (v2 before v1 before v1beta1 ...).</summary>
    public IReadOnlyList<GroupVersion> GroupVersions { get; }

    public IEnumerable<ServedResource> All => _byGvr.Values;

    public IEnumerable<ServedResource> InGroupVersion(GroupVersion gv) =>
        _byGvr.Values.Where(r => r.Group == gv.Group && r.Version == gv.Version).OrderBy(r => r.Resource, StringComparer.Ordinal);

    public ServedResource? Find(string group, string version, string resource) =>
        _byGvr.GetValueOrDefault((group, version, resource));

    /// <summary>The preferred version of a group: the first of its served versions.</summary>
    public string? PreferredVersion(string group) => GroupVersions.FirstOrDefault(g => g.Group == group).Version;

    /// <summary>The served version used for internal operations on a group/resource (its preferred version).</summary>
    public ServedResource? Preferred(GroupResource gr) =>
        GroupVersions.Where(g => g.Group == gr.Group).Select(g => Find(g.Group, g.Version, gr.Resource)).FirstOrDefault(r => r is not null);

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
