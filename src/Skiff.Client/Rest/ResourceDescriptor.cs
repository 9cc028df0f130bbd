using System.Text;
using Skiff.Api.Meta;

namespace Skiff.Client.Rest;

/// <summary>
/// Where a resource lives on the API server: group, version, plural, kind and scope, and the URL paths
/// built from them (core group under /api/v1, others under /apis/&lt;group&gt;/&lt;version&gt;).
/// Immutable record; safe from any thread.
/// </summary>
public sealed record ResourceDescriptor(string Group, string Version, string Plural, string Kind, bool Namespaced)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
    public GroupVersionResource GroupVersionResource => new(Group, Version, Plural);

    /// <summary>The descriptor of a built-in resource from the generated catalog (alpha/beta included).</summary>
    /// <exception cref="ArgumentException">The catalog has no such resource.</exception>
    public static ResourceDescriptor ForResource(string group, string version, string plural) =>
        BuiltinResources.All.FirstOrDefault(r => r.Subresource is null && r.Group == group && r.Version == version && r.Resource == plural) is { } info
            ? new(info.Group, info.Version, info.Resource, info.Kind, info.Namespaced)
            : throw new ArgumentException($"no built-in resource {plural} in {group}/{version}");

    /// <summary>The built-in resource that serves <paramref name="gvk"/> (e.g. v1 Pod → pods).</summary>
    public static ResourceDescriptor ForKind(GroupVersionKind gvk) =>
        BuiltinResources.All.FirstOrDefault(r => r.Subresource is null && r.Group == gvk.Group && r.Version == gvk.Version && r.Kind == gvk.Kind) is { } info
            ? new(info.Group, info.Version, info.Resource, info.Kind, info.Namespaced)
            : throw new ArgumentException($"no built-in resource serves {gvk}");

    /// <summary>
    /// The collection path (<paramref name="ns"/> null: across all namespaces, or cluster-scoped), or the
    /// object path when <paramref name="name"/> is given, plus "/<paramref name="subresource"/>".
    /// </summary>
    public string Path(string? ns, string? name = null, string? subresource = null)
    {
        if (!Namespaced && ns is not null) throw new ArgumentException($"{Plural} is cluster-scoped; no namespace may be given");
        if (Namespaced && name is not null && string.IsNullOrEmpty(ns)) throw new ArgumentException($"{Plural} is namespaced; a namespace is required");
        var sb = new StringBuilder(64);
        if (Group.Length == 0) sb.Append("/api/").Append(Version);
        else sb.Append("/apis/").Append(Group).Append('/').Append(Version);
        if (Namespaced && !string.IsNullOrEmpty(ns)) sb.Append("/namespaces/").Append(Uri.EscapeDataString(ns));
        sb.Append('/').Append(Plural);
        if (name is not null)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            sb.Append('/').Append(Uri.EscapeDataString(name));
            if (subresource is not null) sb.Append('/').Append(subresource);
        }
        return sb.ToString();
    }
}
