using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using static Skiff.Api.Defaulting.JsonFields;

namespace Skiff.Api.Defaulting;

/// <summary>
/// A Service's ipFamilyPolicy and ipFamilies, which upstream fills in not by scheme defaulting but
/// in the service storage just before ClusterIP allocation, because they depend on the cluster's
/// service CIDRs and on the stored object. The API server calls <see cref="Apply"/> on create and
/// update after <see cref="Defaulter.Apply"/> (and after carrying allocated clusterIPs over from
/// the stored object on update), then allocates. Inconsistent input is left for validation.
/// </summary>
public static class ServiceIPFamilies
{
    public const string IPv4 = "IPv4";
    public const string IPv6 = "IPv6";

    /// <param name="service">The new object, defaulted.</param>
    /// <param name="old">The stored object on update; null on create.</param>
    /// <param name="clusterFamilies">The cluster's service IP families, primary first (Skiff's default is just IPv4).</param>
    public static void Apply(JsonObject service, JsonObject? old, IReadOnlyList<string> clusterFamilies)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (clusterFamilies.Count == 0) throw new ArgumentException("the cluster needs at least one service IP family", nameof(clusterFamilies));
        var spec = Ensure(service, "spec");
        if (String(spec, "type") == "ExternalName") return;

        // An old client sends only the singular field; the plural one follows it on create.
        if (old is null && !IsEmptyString(spec["clusterIP"]) && !IsNonEmptyArray(spec["clusterIPs"]))
            spec["clusterIPs"] = new JsonArray(spec["clusterIP"]!.DeepClone());

        var headlessWithoutSelector = String(spec, "clusterIP") == "None" && !IsNonEmptyObject(spec["selector"]);
        if (spec["ipFamilyPolicy"] is null)
        {
            // Updates keep the stored policy so that a PUT never silently switches single/dual stack.
            if (Child(old, "spec")?["ipFamilyPolicy"] is { } oldPolicy) spec["ipFamilyPolicy"] = oldPolicy.DeepClone();
            else spec["ipFamilyPolicy"] = headlessWithoutSelector ? "RequireDualStack" : "SingleStack";
        }
        var policy = String(spec, "ipFamilyPolicy");

        var families = spec["ipFamilies"] as JsonArray ?? new JsonArray();
        var clusterIps = (spec["clusterIPs"] as JsonArray)?.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).ToList() ?? [];
        for (var i = 0; i < clusterIps.Count && clusterIps[i] != "None"; i++)
        {
            if (i < families.Count) continue;
            if (FamilyOf(clusterIps[i]) is not { } family || !clusterFamilies.Contains(family)) break;
            families.Add((JsonNode?)JsonValue.Create(family));
        }

        if (families.Count == 0) families.Add((JsonNode?)JsonValue.Create(clusterFamilies[0]));
        // Headless services without selectors may carry both families even on a single-stack
        // cluster; others get the second family only when the cluster has one.
        if (families.Count == 1 && policy != "SingleStack" && (headlessWithoutSelector || clusterFamilies.Count > 1))
            families.Add((JsonNode?)JsonValue.Create(Other((string?)families[0])));
        if (families.Parent is null) spec["ipFamilies"] = families;
    }

    private static string Other(string? family) => family == IPv6 ? IPv4 : IPv6;

    private static string? FamilyOf(string? ip) =>
        IPAddress.TryParse(ip, out var address)
            ? address.AddressFamily == AddressFamily.InterNetworkV6 && !address.IsIPv4MappedToIPv6 ? IPv6 : IPv4
            : null;
}
