using System.Text.Json.Nodes;
using Skiff.ApiServer.Errors;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer;

/// <summary>
/// Creates what every cluster has from its first start: the four system namespaces, the
/// <c>kubernetes</c> Service in default and the two system PriorityClasses. Idempotent; existing objects are left as they are.
/// </summary>
public static class Bootstrap
{
    public static readonly string[] SystemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];

    public static async Task RunAsync(ObjectRegistry objects, ApiServerOptions options, CancellationToken ct)
    {
        var namespaces = objects.Resources.Find("", "v1", "namespaces")!;
        foreach (var ns in SystemNamespaces)
        {
            var obj = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Namespace",
                ["metadata"] = new JsonObject { ["name"] = ns, ["labels"] = new JsonObject { ["kubernetes.io/metadata.name"] = ns } },
                ["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") },
            };
            await CreateIfMissingAsync(objects, namespaces, "", obj, ct);
        }

        var services = objects.Resources.Find("", "v1", "services")!;
        var ip = Pki.ServingCertificateOptions.FirstAddress(options.ServiceCidr).ToString();
        var svc = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new JsonObject
            {
                ["name"] = "kubernetes",
                ["namespace"] = "default",
                ["labels"] = new JsonObject { ["component"] = "apiserver", ["provider"] = "kubernetes" },
            },
            ["spec"] = new JsonObject
            {
                ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = 443, ["protocol"] = "TCP", ["targetPort"] = options.Port }),
                ["clusterIP"] = ip,
                ["clusterIPs"] = new JsonArray(ip),
                ["type"] = "ClusterIP",
                ["sessionAffinity"] = "None",
                ["ipFamilies"] = new JsonArray("IPv4"),
                ["ipFamilyPolicy"] = "SingleStack",
                ["internalTrafficPolicy"] = "Cluster",
            },
        };
        await CreateIfMissingAsync(objects, services, "default", svc, ct);

        if (objects.Resources.Find("scheduling.k8s.io", "v1", "priorityclasses") is { } priorityClasses)
            foreach (var (name, value, description) in SystemPriorityClasses)
                await CreateIfMissingAsync(objects, priorityClasses, "", new JsonObject
                {
                    ["apiVersion"] = "scheduling.k8s.io/v1",
                    ["kind"] = "PriorityClass",
                    ["metadata"] = new JsonObject { ["name"] = name },
                    ["value"] = value,
                    ["globalDefault"] = false,
                    ["preemptionPolicy"] = "PreemptLowerPriority",
                    ["description"] = description,
                }, ct);
    }

    /// <summary>Upstream's built-in classes for components a cluster cannot do without (node-critical above cluster-critical).</summary>
    public static readonly (string Name, int Value, string Description)[] SystemPriorityClasses =
    [
        ("system-node-critical", 2000001000, "Used for system critical pods that must not be moved from their current node."),
        ("system-cluster-critical", 2000000000, "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."),
    ];

    private static async Task CreateIfMissingAsync(ObjectRegistry objects, ServedResource r, string ns, JsonObject obj, CancellationToken ct)
    {
        if (await objects.TryGetAsync(r, ns, Serialization.Obj.Name(obj), ct) is not null) return;
        try { await objects.CreateAsync(r, ns, obj, dryRun: false, ct); }
        catch (StatusException e) when (e.Code == 409) { }
    }
}
