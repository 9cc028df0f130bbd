namespace Skiff.ApiServer.Tables;

/// <summary>Tables of networking.k8s.io and discovery.k8s.io resources.</summary>
internal static class NetworkTables
{
    public static readonly ITableConvertor Ingresses = new TableConvertor(
    [
        Col.Name,
        Col.Str("Class", "Ingress class that handles the ingress."),
        Col.Str("Hosts", "Hosts the rules match, the first three."),
        Col.Str("Address", "Load balancer ingress points."),
        Col.Str("Ports", "80, plus 443 when TLS is configured."),
        Col.Age,
    ], (ing, now) =>
    {
        return
        [
            Json.Name(ing), Json.StrOrNull(ing, "spec", "ingressClassName") ?? "<none>", Hosts(ing),
            string.Join(",", CoreTables.LoadBalancerAddresses(Json.At(ing, "status", "loadBalancer"))),
            Json.Count(ing, "spec", "tls") != 0 ? "80, 443" : "80", Json.Age(ing, now),
        ];
    });

    public static readonly ITableConvertor IngressClasses = new TableConvertor(
    [
        Col.Name,
        Col.Str("Controller", "Controller that implements the class."),
        Col.Str("Parameters", "Resource holding extra parameters, kind.group/name."),
        Col.Age,
    ], (ic, now) =>
    {
        var p = Json.Obj(ic, "spec", "parameters");
        var parameters = "<none>";
        if (p is not null)
        {
            parameters = Json.Str(p, "kind");
            if (Json.StrOrNull(p, "apiGroup") is { } g) parameters += "." + g;
            parameters += "/" + Json.Str(p, "name");
        }
        return [Json.Name(ic), Json.Str(ic, "spec", "controller"), parameters, Json.Age(ic, now)];
    });

    public static readonly ITableConvertor NetworkPolicies = new TableConvertor(
        [Col.Name, Col.Str("Pod-Selector", "Pods the policy applies to."), Col.Age],
        (np, now) => [Json.Name(np), Formats.LabelSelector(Json.Obj(np, "spec", "podSelector")), Json.Age(np, now)]);

    public static readonly ITableConvertor EndpointSlices = new TableConvertor(
    [
        Col.Name,
        Col.Str("AddressType", "IPv4, IPv6 or FQDN."),
        Col.Str("Ports", "Port numbers, the first three."),
        Col.Str("Endpoints", "Endpoint addresses, the first three."),
        Col.Age,
    ], (es, now) =>
    {
        var ports = Json.Objs(es, "ports")
            .Select(p => Json.LongOrNull(p, "port") is { } n ? n.ToString(System.Globalization.CultureInfo.InvariantCulture)
                : Json.StrOrNull(p, "name") ?? "*")
            .ToList();
        var addresses = Json.Objs(es, "endpoints")
            .SelectMany(e => Json.At(e, "addresses") is System.Text.Json.Nodes.JsonArray a ? a.Select(x => Json.StrOrNull(x) ?? "") : [])
            .ToList();
        return [Json.Name(es), Json.Str(es, "addressType"), Formats.ListWithMore(ports), Formats.ListWithMore(addresses), Json.Age(es, now)];
    });

    public static readonly ITableConvertor ServiceCidrs = new TableConvertor(
        [Col.Name, Col.Str("CIDRs", "The ranges service IPs are allocated from."), Col.Age],
        (sc, now) => [Json.Name(sc), string.Join(",", Json.At(sc, "spec", "cidrs") is System.Text.Json.Nodes.JsonArray a ? a.Select(x => Json.StrOrNull(x) ?? "") : []), Json.Age(sc, now)]);

    public static readonly ITableConvertor IpAddresses = new TableConvertor(
        [Col.Name, Col.Str("ParentRef", "The object the address is allocated to.")],
        (ip, _) =>
        {
            var parent = Json.Obj(ip, "spec", "parentRef");
            var text = "<none>";
            if (parent is not null)
            {
                var group = Json.Str(parent, "group");
                var resource = Json.Str(parent, "resource");
                text = (group.Length == 0 ? resource : resource + "." + group).ToLowerInvariant();
                if (Json.Str(parent, "namespace") is { Length: > 0 } ns) text += "/" + ns;
                text += "/" + Json.Str(parent, "name");
            }
            return [Json.Name(ip), text];
        });

    /// <summary>Up to three non-empty hosts; once three are listed any further rule adds "+ N more...",
    /// N counting rules rather than hosts, as upstream.</summary>
    private static string Hosts(System.Text.Json.Nodes.JsonObject ing)
    {
        const int max = 3;
        var rules = Json.Objs(ing, "spec", "rules").ToList();
        var list = new List<string>();
        var more = false;
        foreach (var rule in rules)
        {
            if (list.Count == max) more = true;
            if (!more && Json.Str(rule, "host") is { Length: > 0 } host) list.Add(host);
        }
        if (list.Count == 0) return "*";
        var joined = string.Join(",", list);
        return more ? $"{joined} + {rules.Count - max} more..." : joined;
    }
}
