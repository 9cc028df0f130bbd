using System.Text;

namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// Upstream's operationId and tag spelling: "listAppsV1NamespacedDeployment",
/// tag "apps_v1"; the group loses its ".k8s.io" suffix and each dotted part is capitalised
/// ("rbac.authorization.k8s.io" → "RbacAuthorization"); the core group is "Core".
/// </summary>
internal static class OperationNames
{
    public static string GroupPart(string group)
    {
        if (group.Length == 0) return "Core";
        var trimmed = group.EndsWith(".k8s.io", StringComparison.Ordinal) ? group[..^".k8s.io".Length] : group;
        var sb = new StringBuilder(trimmed.Length);
        foreach (var part in trimmed.Split('.', StringSplitOptions.RemoveEmptyEntries))
            sb.Append(Capitalize(part));
        return sb.ToString();
    }

    public static string GroupVersionPart(string group, string version) => GroupPart(group) + Capitalize(version);

    /// <summary>"apps", "rbacAuthorization", "core".</summary>
    public static string GroupTag(string group) => LowerFirst(GroupPart(group));

    /// <summary>"apps_v1", "core_v1".</summary>
    public static string GroupVersionTag(string group, string version) => GroupTag(group) + "_" + version;

    public static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static string LowerFirst(string s) => s.Length == 0 ? s : char.ToLowerInvariant(s[0]) + s[1..];
}
