using System.Collections.Frozen;

namespace Skiff.Api.Meta;

/// <summary>
/// Which group/versions a Kubernetes 1.36 kube-apiserver serves with default settings, how groups are
/// ordered in <c>/apis</c>, and the <c>--runtime-config</c> parser that changes the set.
/// </summary>
/// <remarks>
/// Since 1.24 (KEP-3136) new beta APIs are off by default, and the last legacy beta resources that were
/// still on (flowcontrol v1beta3) went away in 1.32; so in 1.36 the default set is exactly the GA versions.
/// Every beta and alpha version in the 1.36 document (admissionregistration v1beta1/v1alpha1, certificates
/// v1beta1/v1alpha1, coordination v1beta1/v1alpha2, networking v1beta1, resource v1beta1/v1beta2/v1alpha3,
/// storage v1beta1, storagemigration v1beta1, scheduling v1alpha2, internal.apiserver v1alpha1) needs
/// <c>--runtime-config</c>. Immutable static data; safe to use from any thread.
/// </remarks>
public static class DefaultApiVersions
{
    /// <summary>Every built-in group/version of the 1.36 OpenAPI document, core first.</summary>
    public static IReadOnlyList<GroupVersion> Known { get; } =
    [
        new("", "v1"),
        new("admissionregistration.k8s.io", "v1"), new("admissionregistration.k8s.io", "v1beta1"), new("admissionregistration.k8s.io", "v1alpha1"),
        new("apiextensions.k8s.io", "v1"),
        new("apiregistration.k8s.io", "v1"),
        new("apps", "v1"),
        new("authentication.k8s.io", "v1"),
        new("authorization.k8s.io", "v1"),
        new("autoscaling", "v2"), new("autoscaling", "v1"),
        new("batch", "v1"),
        new("certificates.k8s.io", "v1"), new("certificates.k8s.io", "v1beta1"), new("certificates.k8s.io", "v1alpha1"),
        new("coordination.k8s.io", "v1"), new("coordination.k8s.io", "v1beta1"), new("coordination.k8s.io", "v1alpha2"),
        new("discovery.k8s.io", "v1"),
        new("events.k8s.io", "v1"),
        new("flowcontrol.apiserver.k8s.io", "v1"),
        new("internal.apiserver.k8s.io", "v1alpha1"),
        new("networking.k8s.io", "v1"), new("networking.k8s.io", "v1beta1"),
        new("node.k8s.io", "v1"),
        new("policy", "v1"),
        new("rbac.authorization.k8s.io", "v1"),
        new("resource.k8s.io", "v1"), new("resource.k8s.io", "v1beta2"), new("resource.k8s.io", "v1beta1"), new("resource.k8s.io", "v1alpha3"),
        new("scheduling.k8s.io", "v1"), new("scheduling.k8s.io", "v1alpha2"),
        new("storage.k8s.io", "v1"), new("storage.k8s.io", "v1beta1"),
        new("storagemigration.k8s.io", "v1beta1"),
    ];

    /// <summary>Group priorities of upstream's aggregator (GroupPriorityMinimum): higher comes first in /apis.</summary>
    private static readonly FrozenDictionary<string, int> GroupPriority = new Dictionary<string, int>
    {
        [""] = 18000,
        ["apps"] = 17800,
        ["events.k8s.io"] = 17750,
        ["authentication.k8s.io"] = 17700,
        ["authorization.k8s.io"] = 17600,
        ["autoscaling"] = 17500,
        ["batch"] = 17400,
        ["certificates.k8s.io"] = 17300,
        ["networking.k8s.io"] = 17200,
        ["policy"] = 17100,
        ["rbac.authorization.k8s.io"] = 17000,
        ["storage.k8s.io"] = 16800,
        ["admissionregistration.k8s.io"] = 16700,
        ["apiextensions.k8s.io"] = 16700,
        ["scheduling.k8s.io"] = 16600,
        ["coordination.k8s.io"] = 16500,
        ["node.k8s.io"] = 16300,
        ["discovery.k8s.io"] = 16200,
        ["resource.k8s.io"] = 16200,
        ["flowcontrol.apiserver.k8s.io"] = 16100,
        ["internal.apiserver.k8s.io"] = 16000,
        ["storagemigration.k8s.io"] = 15800,
    }.ToFrozenDictionary();

    /// <summary>The set served when no --runtime-config is given: every GA version.</summary>
    public static ApiEnablement Default { get; } = ApiEnablement.FromVersions(Known.Where(gv => VersionOrder.IsGa(gv.Version)));

    /// <summary>True when a default 1.36 server serves <paramref name="gv"/>.</summary>
    public static bool IsEnabledByDefault(GroupVersion gv) => Default.IsVersionEnabled(gv);

    /// <summary>
    /// Parses a --runtime-config value ("api/all=true,batch/v1=false,resource.k8s.io/v1alpha3") on top of
    /// the default set. Returns false with a message naming the bad entry, as kube-apiserver refuses to start.
    /// </summary>
    public static bool TryParseRuntimeConfig(string? runtimeConfig, out ApiEnablement enablement, out string? error) =>
        RuntimeConfigParser.TryParse(runtimeConfig, out enablement, out error);

    /// <summary>
    /// The order groups appear in /apis: apiregistration.k8s.io first (the aggregator lists its own group
    /// before the others), then by upstream group priority, highest first, ties by name. Core ("") is not
    /// part of /apis and is left out. Groups without a known priority come last, by name.
    /// </summary>
    public static IReadOnlyList<string> OrderGroups(IEnumerable<string> groups) =>
        groups.Where(g => g.Length > 0).Distinct()
            .OrderBy(g => g == "apiregistration.k8s.io" ? 0 : 1)
            .ThenByDescending(g => GroupPriority.TryGetValue(g, out var p) ? p : 0)
            .ThenBy(g => g, StringComparer.Ordinal)
            .ToList();

    /// <summary>Versions of one group as /apis lists them: preferred (highest Kubernetes version) first.</summary>
    public static IReadOnlyList<string> OrderVersions(IEnumerable<string> versions) =>
        versions.Distinct().OrderBy(v => v, VersionOrder.Comparer).ToList();

    /// <summary>The preferred version among <paramref name="enabledVersions"/>, or null when there are none.</summary>
    public static string? PreferredVersion(IEnumerable<string> enabledVersions) =>
        OrderVersions(enabledVersions).FirstOrDefault();
}

/// <summary>
/// Kubernetes version ordering (v2 &gt; v1 &gt; v1beta2 &gt; v1beta1 &gt; v1alpha1 &gt; anything else), the order
/// upstream's per-version priorities encode for every built-in group.
/// </summary>
public static class VersionOrder
{
    /// <summary>Sorts most preferred first.</summary>
    public static IComparer<string> Comparer { get; } = Comparer<string>.Create(Compare);

    public static bool IsGa(string version) => Parse(version) is { Level: 3 };

    private static int Compare(string a, string b)
    {
        var (la, ma, na) = Parse(a);
        var (lb, mb, nb) = Parse(b);
        if (la != lb) return lb.CompareTo(la);
        if (la == 0) return string.CompareOrdinal(a, b);
        if (ma != mb) return mb.CompareTo(ma);
        return nb.CompareTo(na);
    }

    /// <summary>Level 3 = GA, 2 = beta, 1 = alpha, 0 = not a Kubernetes-style version.</summary>
    private static (int Level, int Major, int Minor) Parse(string v)
    {
        if (v.Length < 2 || v[0] != 'v' || !char.IsAsciiDigit(v[1])) return (0, 0, 0);
        var i = 1;
        while (i < v.Length && char.IsAsciiDigit(v[i])) i++;
        var major = int.Parse(v.AsSpan(1, i - 1));
        if (i == v.Length) return (3, major, 0);
        var rest = v.AsSpan(i);
        int level = rest.StartsWith("beta") ? 2 : rest.StartsWith("alpha") ? 1 : 0;
        if (level == 0) return (0, 0, 0);
        var digits = rest[(level == 2 ? 4 : 5)..];
        if (digits.Length == 0 || !int.TryParse(digits, out var minor)) return (0, 0, 0);
        return (level, major, minor);
    }
}

/// <summary>
/// The group/versions (and resource-level overrides) a server serves. A resource is served when an
/// explicit resource entry says so, otherwise when its version is enabled, as upstream's ResourceConfig does.
/// </summary>
/// <remarks>Immutable once built; safe to share between threads.</remarks>
public sealed class ApiEnablement
{
    private readonly HashSet<GroupVersion> _versions;
    private readonly Dictionary<GroupVersionResource, bool> _resources;

    internal ApiEnablement(HashSet<GroupVersion> versions, Dictionary<GroupVersionResource, bool> resources)
    {
        _versions = versions;
        _resources = resources;
    }

    internal static ApiEnablement FromVersions(IEnumerable<GroupVersion> versions) => new(versions.ToHashSet(), []);

    /// <summary>Versions with anything served, in <see cref="DefaultApiVersions.Known"/> order.</summary>
    public IReadOnlyList<GroupVersion> ServedVersions => DefaultApiVersions.Known.Where(IsServed).ToList();

    /// <summary>True when the whole version is switched on.</summary>
    public bool IsVersionEnabled(GroupVersion gv) => _versions.Contains(gv);

    /// <summary>True when some resource of <paramref name="gv"/> is served (whole version or a resource override).</summary>
    public bool IsServed(GroupVersion gv) =>
        _versions.Contains(gv) || _resources.Any(r => r.Value && r.Key.GroupVersion == gv);

    /// <summary>An explicit resource entry wins; otherwise the resource follows its version.</summary>
    public bool IsResourceEnabled(GroupVersionResource gvr) =>
        _resources.TryGetValue(gvr, out var explicitly) ? explicitly : _versions.Contains(gvr.GroupVersion);

    /// <summary>The preferred (highest) served version of <paramref name="group"/>, or null if none is served.</summary>
    public string? PreferredVersion(string group) =>
        DefaultApiVersions.PreferredVersion(ServedVersions.Where(v => v.Group == group).Select(v => v.Version));

    /// <summary>Served groups in /apis order (see <see cref="DefaultApiVersions.OrderGroups"/>).</summary>
    public IReadOnlyList<string> ServedGroups => DefaultApiVersions.OrderGroups(ServedVersions.Select(v => v.Group));

    internal HashSet<GroupVersion> CopyVersions() => [.. _versions];
    internal Dictionary<GroupVersionResource, bool> CopyResources() => new(_resources);
}

/// <summary>
/// Parses kube-apiserver's --runtime-config: comma-separated <c>key[=bool]</c> entries where key is
/// <c>api/all</c>, <c>api/ga</c>, <c>api/beta</c>, <c>api/alpha</c>, <c>api/v1</c> (core), <c>group/version</c>
/// or <c>group/version/resource</c>; a missing value means true. Broad switches apply first, then versions,
/// then resources, so "api/all=false,v1=true" leaves only core on. Unknown groups are ignored (they may be
/// served by an aggregated server); an unknown version of a known group is an error, as upstream.
/// </summary>
internal static class RuntimeConfigParser
{
    public static bool TryParse(string? text, out ApiEnablement enablement, out string? error)
    {
        enablement = DefaultApiVersions.Default;
        error = null;
        var versions = DefaultApiVersions.Default.CopyVersions();
        var resources = DefaultApiVersions.Default.CopyResources();
        var entries = new List<(string Key, bool Value)>();
        foreach (var raw in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = raw.IndexOf('=');
            var key = (eq < 0 ? raw : raw[..eq]).Trim();
            var value = eq < 0 ? "" : raw[(eq + 1)..].Trim();
            if (!TryParseBool(value, out var on))
            {
                error = $"invalid value of {key}: {value}";
                return false;
            }
            entries.Add((key, on));
        }

        // Broad switches first, whatever their position in the flag.
        foreach (var (key, on) in entries.Where(e => e.Key == "api/all"))
            SetWhere(versions, _ => true, on);
        foreach (var (key, on) in entries)
        {
            Func<string, bool>? level = key switch
            {
                "api/ga" => v => Level(v) == 3,
                "api/beta" => v => Level(v) == 2,
                "api/alpha" => v => Level(v) == 1,
                _ => null,
            };
            if (level is not null) SetWhere(versions, gv => level(gv.Version), on);
        }

        var resourceEntries = new List<(GroupVersionResource, bool)>();
        foreach (var (key, on) in entries)
        {
            if (key is "api/all" or "api/ga" or "api/beta" or "api/alpha" or "api/legacy") continue;
            var parts = key.Split('/');
            GroupVersion gv;
            string? resource = null;
            if (key is "v1" or "api/v1") gv = new("", "v1");
            else if (parts.Length is 2 or 3 && parts[0].Length > 0 && parts[1].Length > 0)
            {
                gv = parts[0] == "api" ? new("", parts[1]) : new(parts[0], parts[1]);
                if (parts.Length == 3) resource = parts[2];
            }
            else
            {
                error = $"invalid key {key}";
                return false;
            }

            if (!DefaultApiVersions.Known.Any(k => k.Group == gv.Group)) continue;
            if (!DefaultApiVersions.Known.Contains(gv))
            {
                error = $"group version {gv} that has not been registered";
                return false;
            }
            if (resource is null)
            {
                if (on) versions.Add(gv); else versions.Remove(gv);
            }
            else resourceEntries.Add((new GroupVersionResource(gv.Group, gv.Version, resource), on));
        }
        foreach (var (gvr, on) in resourceEntries) resources[gvr] = on;

        enablement = new ApiEnablement(versions, resources);
        return true;
    }

    private static void SetWhere(HashSet<GroupVersion> versions, Func<GroupVersion, bool> match, bool on)
    {
        foreach (var gv in DefaultApiVersions.Known.Where(match))
            if (on) versions.Add(gv); else versions.Remove(gv);
    }

    private static int Level(string version) =>
        VersionOrder.IsGa(version) ? 3 : version.Contains("beta") ? 2 : version.Contains("alpha") ? 1 : 0;

    // Go's strconv.ParseBool spellings; empty means true, as upstream's runtime-config default.
    private static bool TryParseBool(string value, out bool result)
    {
        switch (value)
        {
            case "": case "1": case "t": case "T": case "true": case "TRUE": case "True":
                result = true; return true;
            case "0": case "f": case "F": case "false": case "FALSE": case "False":
                result = false; return true;
            default:
                result = false; return false;
        }
    }
}
