using System.Text.Json.Nodes;
using Skiff.Api.Meta;
using Skiff.Api.Validation;
using Skiff.ApiServer.Errors;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Serialization;
using Skiff.ApiServer.Tables;

namespace Skiff.ApiServer.CustomResources;

/// <summary>
/// One served version of a CRD: what the generic pipeline consults for a custom resource (schema for
/// validation, pruning and defaults; printer columns; scale paths; names for discovery). Hangs off
/// <see cref="ServedResource.Custom"/>. Immutable; thread-safe.
/// </summary>
public sealed class CustomResourceType
{
    public CustomResourceType(CrdModel crd, CrdVersion version, CrdNames names, bool terminating = false)
    {
        Crd = crd;
        Terminating = terminating;
        Version = version;
        Names = names;
        Table = new CustomResourceTable(version.Columns);
    }

    public CrdModel Crd { get; }
    public CrdVersion Version { get; }
    /// <summary>The accepted names (status.acceptedNames).</summary>
    public CrdNames Names { get; }
    public ITableConvertor Table { get; }
    /// <summary>The CRD is being deleted: its objects can be read and deleted, no new ones created.</summary>
    public bool Terminating { get; }

    /// <summary>The OpenAPI definition name of this version's kind: reversed group, version, kind
    /// ("stable.example.com", "v1", "CronTab" → "com.example.stable.v1.CronTab").</summary>
    public static string DefinitionName(string group, string version, string kind) =>
        string.Join('.', group.Split('.').Reverse()) + "." + version + "." + kind;

    /// <summary>Builds the served resources (with subresources) of every served version.</summary>
    public static IReadOnlyList<ServedResource> Serve(CrdModel crd, CrdNames names, bool terminating = false)
    {
        var list = new List<ServedResource>();
        foreach (var v in crd.Versions.Where(v => v.Served))
        {
            var definition = DefinitionName(crd.Group, v.Name, names.Kind);
            var info = new ApiResourceInfo(crd.Group, v.Name, names.Plural, null, names.Kind, crd.Group, v.Name, crd.Namespaced,
                ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"], definition);
            var subs = new Dictionary<string, ApiResourceInfo>();
            if (v.HasStatus)
                subs["status"] = info with { Subresource = "status", Verbs = ["get", "patch", "update"] };
            if (v.Scale is not null)
                subs["scale"] = info with
                {
                    Subresource = "scale", Kind = "Scale", KindGroup = "autoscaling", KindVersion = "v1",
                    Verbs = ["get", "patch", "update"], Definition = "io.k8s.api.autoscaling.v1.Scale",
                };
            var type = new CustomResourceType(crd, v, names, terminating);
            var policy = new ResourcePolicy
            {
                TracksGeneration = true,
                // Upstream drops status on create when the status subresource is on; PrepareForCreate
                // writes this value and Normalize removes the null.
                InitialStatusJson = "null",
                KeepsStatusOnCreate = !v.HasStatus,
                Normalize = type.Normalize,
            };
            list.Add(new ServedResource(info, subs, policy) { Custom = type });
        }
        return list;
    }

    /// <summary>Every write: unknown fields pruned, defaults applied, a null status dropped.</summary>
    public void Normalize(JsonObject obj)
    {
        if (obj.TryGetPropertyValue("status", out var status) && status is null) obj.Remove("status");
        if (Version.Schema is not { } schema) return;
        SchemaPruner.Prune(obj, schema);
        SchemaPruner.Default(obj, schema);
    }

    /// <summary>Metadata (names are DNS subdomains) and the schema.</summary>
    public List<FieldError> Validate(JsonObject obj, bool namespaced)
    {
        var errors = ObjectMetaValidator.Validate(obj["metadata"] as JsonObject, NameRule.DnsSubdomain, namespaced);
        if (Version.Schema is { } schema) errors.AddRange(SchemaValidator.Validate(obj, schema));
        return errors;
    }

    // ---- scale ---------------------------------------------------------------------------

    /// <summary>The autoscaling/v1 Scale of a custom object, read through the CRD's scale paths.</summary>
    public JsonObject ScaleOf(JsonObject parent)
    {
        var scale = Version.Scale!;
        var meta = parent["metadata"] as JsonObject ?? new JsonObject();
        var scaleMeta = new JsonObject();
        foreach (var f in new[] { "name", "namespace", "uid", "resourceVersion", "creationTimestamp" })
            if (meta[f] is { } v) scaleMeta[f] = v.DeepClone();
        var status = new JsonObject { ["replicas"] = Replicas(parent, scale.StatusReplicasPath) };
        if (scale.LabelSelectorPath is { Length: > 0 } sp && SimpleJsonPath.Find(parent, sp) is JsonValue sel
            && sel.GetValueKind() == System.Text.Json.JsonValueKind.String)
            status["selector"] = sel.GetValue<string>();
        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = scaleMeta,
            ["spec"] = new JsonObject { ["replicas"] = Replicas(parent, scale.SpecReplicasPath) },
            ["status"] = status,
        };
    }

    /// <summary>Writes a desired Scale's replicas into the custom object (the Scale's resourceVersion is the precondition).</summary>
    public JsonObject ApplyScale(JsonObject parent, JsonObject scale)
    {
        var replicas = scale["spec"]?["replicas"];
        if (replicas is not JsonValue v || !CrdSchema.TryNumber(v, out var n) || Math.Floor(n) != n)
            throw StatusException.Invalid("autoscaling", "Scale", Obj.Name(parent), [new(FieldErrorType.Required, "spec.replicas", null, "")]);
        if (n < 0)
            throw StatusException.Invalid("autoscaling", "Scale", Obj.Name(parent), [new(FieldErrorType.Invalid, "spec.replicas", (long)n, "must be greater than or equal to 0")]);
        if (!SimpleJsonPath.Set(parent, Version.Scale!.SpecReplicasPath, (long)n))
            throw StatusException.BadRequest($"the spec replicas path {Version.Scale.SpecReplicasPath} does not lead to an object field");
        var rv = Obj.Str(scale["metadata"], "resourceVersion");
        Obj.Meta(parent)["resourceVersion"] = string.IsNullOrEmpty(rv) ? null : rv;
        return parent;
    }

    private static long Replicas(JsonObject parent, string path) =>
        CrdSchema.TryNumber(SimpleJsonPath.Find(parent, path), out var n) ? (long)n : 0;

    // ---- OpenAPI -------------------------------------------------------------------------

    /// <summary>The v2-style definitions of this version's kind and list kind, for the OpenAPI documents.</summary>
    public IEnumerable<KeyValuePair<string, ReadOnlyMemory<byte>>> OpenApiDefinitions()
    {
        var group = Crd.Group;
        var name = DefinitionName(group, Version.Name, Names.Kind);
        var schema = Version.Schema?.Json.DeepClone().AsObject() ?? new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true };
        if (schema["properties"] is not JsonObject props) schema["properties"] = props = new JsonObject();
        props["apiVersion"] = new JsonObject { ["type"] = "string", ["description"] = "APIVersion defines the versioned schema of this representation of an object." };
        props["kind"] = new JsonObject { ["type"] = "string", ["description"] = "Kind is a string value representing the REST resource this object represents." };
        props["metadata"] = new JsonObject { ["$ref"] = "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" };
        schema["x-kubernetes-group-version-kind"] = new JsonArray(new JsonObject { ["group"] = group, ["kind"] = Names.Kind, ["version"] = Version.Name });
        var list = new JsonObject
        {
            ["description"] = $"{Names.ListKind} is a list of {Names.Kind}",
            ["type"] = "object",
            ["required"] = new JsonArray("items"),
            ["properties"] = new JsonObject
            {
                ["apiVersion"] = new JsonObject { ["type"] = "string" },
                ["items"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["$ref"] = "#/definitions/" + name } },
                ["kind"] = new JsonObject { ["type"] = "string" },
                ["metadata"] = new JsonObject { ["$ref"] = "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta" },
            },
            ["x-kubernetes-group-version-kind"] = new JsonArray(new JsonObject { ["group"] = group, ["kind"] = Names.ListKind, ["version"] = Version.Name }),
        };
        yield return KeyValuePair.Create(name, (ReadOnlyMemory<byte>)Obj.ToUtf8(schema));
        yield return KeyValuePair.Create(name + "List", (ReadOnlyMemory<byte>)Obj.ToUtf8(list));
    }
}
