using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Tables;

/// <summary>Tables of the cluster-administration groups: rbac, certificates, coordination, scheduling,
/// node, admissionregistration, flowcontrol, resource, apiregistration and friends.</summary>
internal static class ClusterTables
{
    public static readonly ITableConvertor RoleBindings = Bindings("roleBinding");
    public static readonly ITableConvertor ClusterRoleBindings = Bindings("clusterRoleBinding");

    public static readonly ITableConvertor CertificateSigningRequests = new TableConvertor(
    [
        Col.Name, Col.Age,
        Col.Str("SignerName", "Signer asked to sign the request."),
        Col.Str("Requestor", "User that created the request."),
        Col.Str("RequestedDuration", "Requested certificate lifetime."),
        Col.Str("Condition", "Pending, Approved or Denied, plus Failed and Issued."),
    ], (csr, now) =>
    {
        var spec = Json.Obj(csr, "spec");
        var duration = Json.LongOrNull(spec, "expirationSeconds") is { } s ? HumanDuration.Format(TimeSpan.FromSeconds(s)) : "<none>";
        return
        [
            Json.Name(csr), Json.Age(csr, now), Json.Str(spec, "signerName") is { Length: > 0 } signer ? signer : "<none>",
            Json.Str(spec, "username"), duration, CsrCondition(csr),
        ];
    });

    public static readonly ITableConvertor ClusterTrustBundles = new TableConvertor(
        [Col.Name, Col.Str("SignerName", "Signer the bundle belongs to.")],
        (ctb, _) => [Json.Name(ctb), Json.Str(ctb, "spec", "signerName") is { Length: > 0 } s ? s : "<none>"]);

    public static readonly ITableConvertor Leases = new TableConvertor(
        [Col.Name, Col.Str("Holder", "Identity of the current holder."), Col.Age],
        (lease, now) => [Json.Name(lease), Json.Str(lease, "spec", "holderIdentity"), Json.Age(lease, now)]);

    public static readonly ITableConvertor LeaseCandidates = new TableConvertor(
    [
        Col.Name,
        Col.Str("LeaseName", "The lease the candidate runs for."),
        Col.Str("BinaryVersion", "Binary version of the candidate."),
        Col.Str("EmulationVersion", "Emulated version of the candidate."),
        Col.Age,
    ], (lc, now) =>
    [
        Json.Name(lc), Json.Str(lc, "spec", "leaseName"), Json.Str(lc, "spec", "binaryVersion"),
        Json.Str(lc, "spec", "emulationVersion"), Json.Age(lc, now),
    ]);

    public static readonly ITableConvertor PriorityClasses = new TableConvertor(
    [
        Col.Name,
        Col.Int("Value", "Priority value."),
        Col.Bool("Global-Default", "Whether pods without a class get this one."),
        Col.Age,
        new("PreemptionPolicy", "string", "", "Whether pods of this class preempt others.", 1),
    ], (pc, now) =>
    [
        Json.Name(pc), Json.Long(pc, "value"), Json.Bool(pc, "globalDefault"), Json.Age(pc, now), Json.Str(pc, "preemptionPolicy"),
    ]);

    public static readonly ITableConvertor RuntimeClasses = new TableConvertor(
        [Col.Name, Col.Str("Handler", "CRI handler that runs the pods."), Col.Age],
        (rc, now) => [Json.Name(rc), Json.Str(rc, "handler"), Json.Age(rc, now)]);

    public static readonly ITableConvertor WebhookConfigurations = new TableConvertor(
        [Col.Name, Col.Int("Webhooks", "Number of webhooks in the configuration."), Col.Age],
        (wh, now) => [Json.Name(wh), (long)Json.Count(wh, "webhooks"), Json.Age(wh, now)]);

    public static readonly ITableConvertor ValidatingAdmissionPolicies = Policy("Validations", "validations");
    public static readonly ITableConvertor MutatingAdmissionPolicies = Policy("Mutations", "mutations");

    public static readonly ITableConvertor PolicyBindings = new TableConvertor(
    [
        Col.Name,
        Col.Str("PolicyName", "The policy the binding applies."),
        Col.Str("ParamRef", "The parameter resource of the binding."),
        Col.Age,
    ], (b, now) =>
    {
        var paramRef = Json.Obj(b, "spec", "paramRef");
        var param = "<unset>";
        if (paramRef is not null)
        {
            var name = Json.Str(paramRef, "name");
            if (name.Length > 0)
                // The namespace is unknown for cluster-scoped params, so an empty one prints "*".
                param = (Json.Str(paramRef, "namespace") is { Length: > 0 } ns ? ns : "*") + "/" + name;
            else if (Json.Obj(paramRef, "selector") is { } selector)
                param = Formats.Selector(selector) ?? "<invalid>";
        }
        return [Json.Name(b), Json.Str(b, "spec", "policyName"), param, Json.Age(b, now)];
    });

    public static readonly ITableConvertor FlowSchemas = new TableConvertor(
    [
        Col.Name,
        Col.Str("PriorityLevel", "Priority level the matched requests go to."),
        Col.Str("MatchingPrecedence", "Lower numbers are matched first."),
        Col.Str("DistinguisherMethod", "How flows are told apart."),
        Col.Age,
        Col.Str("MissingPL", "Whether the priority level does not exist."),
    ], (fs, now) =>
    {
        var spec = Json.Obj(fs, "spec");
        var dangling = Json.Objs(fs, "status", "conditions").FirstOrDefault(c => Json.Str(c, "type") == "Dangling");
        return
        [
            Json.Name(fs), Json.Str(spec, "priorityLevelConfiguration", "name"), Json.Long(spec, "matchingPrecedence"),
            Json.StrOrNull(spec, "distinguisherMethod", "type") ?? "<none>", Json.Age(fs, now),
            dangling is null ? "?" : Json.Str(dangling, "status"),
        ];
    });

    public static readonly ITableConvertor PriorityLevelConfigurations = new TableConvertor(
    [
        Col.Name,
        Col.Str("Type", "Limited or Exempt."),
        Col.Str("NominalConcurrencyShares", "Share of the server's concurrency."),
        Col.Str("Queues", "Number of queues."),
        Col.Str("HandSize", "Queues each flow is shuffled over."),
        Col.Str("QueueLengthLimit", "Requests a queue may hold."),
        Col.Age,
    ], (pl, now) =>
    {
        var limited = Json.Obj(pl, "spec", "limited");
        var queuing = Json.Obj(limited, "limitResponse", "queuing");
        object? NumberOrNone(JsonObject? o, string field) => o is null ? "<none>" : Json.Long(o, field);
        return
        [
            Json.Name(pl), Json.Str(pl, "spec", "type"), NumberOrNone(limited, "nominalConcurrencyShares"),
            NumberOrNone(queuing, "queues"), NumberOrNone(queuing, "handSize"), NumberOrNone(queuing, "queueLengthLimit"),
            Json.Age(pl, now),
        ];
    });

    public static readonly ITableConvertor DeviceClasses = new TableConvertor([Col.Name, Col.Age],
        (dc, now) => [Json.Name(dc), Json.Age(dc, now)]);

    public static readonly ITableConvertor ResourceClaimTemplates = DeviceClasses;

    public static readonly ITableConvertor ResourceClaims = new TableConvertor(
        [Col.Name, Col.Str("State", "allocated, pending, reserved or deleted."), Col.Age],
        (rc, now) =>
        {
            var states = new List<string>();
            var deleting = Json.Deleting(rc);
            if (deleting) states.Add("deleted");
            if (Json.Obj(rc, "status", "allocation") is null)
            {
                if (!deleting) states.Add("pending");
            }
            else
            {
                states.Add("allocated");
                if (Json.Count(rc, "status", "reservedFor") > 0) states.Add("reserved");
            }
            return [Json.Name(rc), string.Join(",", states), Json.Age(rc, now)];
        });

    public static readonly ITableConvertor ResourceSlices = new TableConvertor(
    [
        Col.Name,
        Col.Str("Node", "Node the devices are local to."),
        Col.Str("Driver", "DRA driver publishing the slice."),
        Col.Str("Pool", "Resource pool of the slice."),
        Col.Age,
    ], (rs, now) =>
    [
        Json.Name(rs), Json.Str(rs, "spec", "nodeName"), Json.Str(rs, "spec", "driver"), Json.Str(rs, "spec", "pool", "name"), Json.Age(rs, now),
    ]);

    public static readonly ITableConvertor StorageVersionMigrations = new TableConvertor(
        [new("Name", "string", "", "Name of the migration."), Col.Str("Resource", "The resource being migrated.")],
        (svm, _) =>
        {
            var r = Json.Obj(svm, "spec", "resource");
            var parts = new[] { Json.Str(r, "resource"), Json.Str(r, "version"), Json.Str(r, "group") }.Where(p => p.Length > 0);
            return [Json.Name(svm), string.Join(".", parts)];
        });

    public static readonly ITableConvertor StorageVersions = new TableConvertor(
    [
        Col.Name,
        Col.Str("CommonEncodingVersion", "Encoding version all servers agree on."),
        Col.Str("StorageVersions", "Encoding version per API server."),
        Col.Age,
    ], (sv, now) =>
    {
        var versions = Json.Objs(sv, "status", "storageVersions")
            .Select(v => $"{Json.Str(v, "apiServerID")}={Json.Str(v, "encodingVersion")}").ToList();
        return
        [
            Json.Name(sv), Json.StrOrNull(sv, "status", "commonEncodingVersion") ?? "<unset>", Formats.ListWithMore(versions), Json.Age(sv, now),
        ];
    });

    /// <summary>kube-aggregator's own table: where the group is served from and whether it is available.</summary>
    public static readonly ITableConvertor ApiServices = new TableConvertor(
    [
        Col.Name,
        Col.Str("Service", "Local, or the namespace/name of the serving service."),
        Col.Str("Available", "Whether the API is reachable, with the reason when not."),
        Col.Age,
    ], (svc, now) =>
    {
        var service = Json.Obj(svc, "spec", "service") is { } s ? Json.Str(s, "namespace") + "/" + Json.Str(s, "name") : "Local";
        var available = Json.Objs(svc, "status", "conditions").FirstOrDefault(c => Json.Str(c, "type") == "Available");
        var text = "Unknown";
        if (available is not null)
        {
            text = Json.Str(available, "status");
            if (text != "True" && Json.Str(available, "reason") is { Length: > 0 } reason) text += $" ({reason})";
        }
        return [Json.Name(svc), service, text, Json.Age(svc, now)];
    });

    private static ITableConvertor Bindings(string what) => new TableConvertor(
    [
        Col.Name,
        Col.Str("Role", "The bound role, kind/name."),
        Col.Age,
        Col.Wide("Users", $"Users in the {what}."),
        Col.Wide("Groups", $"Groups in the {what}."),
        Col.Wide("ServiceAccounts", $"Service accounts in the {what}, namespace/name."),
    ], (b, now) =>
    {
        var subjects = Json.Objs(b, "subjects").ToList();
        string Join(string kind, Func<JsonObject, string> text) =>
            string.Join(", ", subjects.Where(s => Json.Str(s, "kind") == kind).Select(text));
        return
        [
            Json.Name(b), $"{Json.Str(b, "roleRef", "kind")}/{Json.Str(b, "roleRef", "name")}", Json.Age(b, now),
            Join("User", s => Json.Str(s, "name")), Join("Group", s => Json.Str(s, "name")),
            Join("ServiceAccount", s => Json.Str(s, "namespace") + "/" + Json.Str(s, "name")),
        ];
    });

    private static ITableConvertor Policy(string countColumn, string countField) => new TableConvertor(
    [
        Col.Name,
        Col.Int(countColumn, $"Number of {countField} rules in the policy."),
        Col.Str("ParamKind", "Kind of the parameter resource."),
        Col.Age,
    ], (p, now) =>
    {
        var paramKind = Json.Obj(p, "spec", "paramKind") is { } k ? Json.Str(k, "apiVersion") + "/" + Json.Str(k, "kind") : "<unset>";
        return [Json.Name(p), (long)Json.Count(p, "spec", countField), paramKind, Json.Age(p, now)];
    });

    private static string CsrCondition(JsonObject csr)
    {
        var types = Json.Objs(csr, "status", "conditions").Select(c => Json.Str(c, "type")).ToHashSet();
        var status = types.Contains("Denied") ? "Denied" : types.Contains("Approved") ? "Approved" : "Pending";
        if (types.Contains("Failed")) status += ",Failed";
        if (Json.Str(csr, "status", "certificate").Length > 0) status += ",Issued";
        return status;
    }
}
