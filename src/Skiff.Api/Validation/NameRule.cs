using Skiff.Api.Meta;

namespace Skiff.Api.Validation;

/// <summary>The syntax a kind's metadata.name must follow.</summary>
public enum NameRule
{
    /// <summary>RFC 1123 subdomain, at most 253 characters: most kinds.</summary>
    DnsSubdomain,
    /// <summary>RFC 1123 label, at most 63 characters: namespaces.</summary>
    DnsLabel,
    /// <summary>RFC 1035 label (must start with a letter): services.</summary>
    Dns1035Label,
    /// <summary>Anything that is a valid URL path segment: RBAC kinds, core events, CSRs, CRs without rules.</summary>
    PathSegment,
}

/// <summary>Applies a <see cref="NameRule"/> to a name or a generateName prefix.</summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class NameRuleChecks
{
    /// <summary>
    /// Upstream's messages for <paramref name="name"/> under <paramref name="rule"/>. With
    /// <paramref name="prefix"/> the value is a generateName: a trailing '-' is allowed (upstream masks it
    /// before checking, since random characters follow).
    /// </summary>
    public static List<string> Check(this NameRule rule, string name, bool prefix = false)
    {
        if (prefix && rule != NameRule.PathSegment) name = MaskTrailingDash(name);
        return rule switch
        {
            NameRule.DnsLabel => NameFormats.IsDns1123Label(name),
            NameRule.Dns1035Label => NameFormats.IsDns1035Label(name),
            NameRule.PathSegment => NameFormats.IsValidPathSegmentName(name, prefix),
            _ => NameFormats.IsDns1123Subdomain(name),
        };
    }

    // Upstream replaces the last two characters with "a" when the prefix ends in '-'; kept as is so
    // exactly the same prefixes pass.
    private static string MaskTrailingDash(string name) =>
        name.Length > 1 && name.EndsWith('-') ? name[..^2] + "a" : name;
}

/// <summary>
/// Which <see cref="NameRule"/> each built-in resource's validation applies (upstream's per-kind
/// Validate*Name functions). Resources not listed use <see cref="NameRule.DnsSubdomain"/>, which is what
/// the large majority of built-in kinds use.
/// </summary>
/// <remarks>Immutable static data; safe to use from any thread.</remarks>
public static class ResourceNameRules
{
    private static readonly Dictionary<GroupResource, NameRule> Table = new()
    {
        [new("", "namespaces")] = NameRule.DnsLabel,
        [new("", "services")] = NameRule.Dns1035Label,
        // Legacy core/v1 events only get the generic path-segment check; events.k8s.io/v1 is strict.
        [new("", "events")] = NameRule.PathSegment,
        [new("rbac.authorization.k8s.io", "roles")] = NameRule.PathSegment,
        [new("rbac.authorization.k8s.io", "clusterroles")] = NameRule.PathSegment,
        [new("rbac.authorization.k8s.io", "rolebindings")] = NameRule.PathSegment,
        [new("rbac.authorization.k8s.io", "clusterrolebindings")] = NameRule.PathSegment,
        // Upstream does not care what certificate requests are called beyond the generic rule.
        [new("certificates.k8s.io", "certificatesigningrequests")] = NameRule.PathSegment,
    };

    /// <summary>Resources whose rule is not the DNS-subdomain default.</summary>
    public static IEnumerable<GroupResource> Exceptions => Table.Keys;

    /// <summary>The rule for a built-in resource; DNS subdomain when the resource has no entry.</summary>
    public static NameRule For(GroupResource resource) =>
        Table.TryGetValue(resource, out var rule) ? rule : NameRule.DnsSubdomain;
}
