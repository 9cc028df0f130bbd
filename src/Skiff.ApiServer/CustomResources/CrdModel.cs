using System.Text.Json.Nodes;
using Skiff.ApiServer.Serialization;

namespace Skiff.ApiServer.CustomResources;

/// <summary>spec.names (or status.acceptedNames) of a CRD.</summary>
public sealed record CrdNames(string Plural, string Singular, string Kind, string ListKind, IReadOnlyList<string> ShortNames, IReadOnlyList<string> Categories)
{
    public static CrdNames Parse(JsonNode? names) => new(
        Obj.Str(names, "plural") ?? "",
        Obj.Str(names, "singular") ?? "",
        Obj.Str(names, "kind") ?? "",
        Obj.Str(names, "listKind") ?? "",
        Strings(names?["shortNames"]),
        Strings(names?["categories"]));

    internal static IReadOnlyList<string> Strings(JsonNode? n) =>
        n is JsonArray a ? a.Select(x => x is JsonValue v && v.TryGetValue<string>(out var s) ? s : "").ToList() : [];
}

/// <summary>spec.versions[].subresources.scale.</summary>
public sealed record CrdScale(string SpecReplicasPath, string StatusReplicasPath, string? LabelSelectorPath);

/// <summary>spec.versions[].additionalPrinterColumns[].</summary>
public sealed record CrdColumn(string Name, string Type, string Format, string Description, int Priority, string JsonPath);

/// <summary>One entry of spec.versions.</summary>
public sealed record CrdVersion(string Name, bool Served, bool Storage, CrdSchema? Schema, bool HasStatus, CrdScale? Scale,
    IReadOnlyList<CrdColumn> Columns, bool Deprecated, string? DeprecationWarning);

/// <summary>
/// A CustomResourceDefinition (apiextensions.k8s.io/v1) as the serving code needs it, parsed from the
/// stored JSON. Immutable.
/// </summary>
public sealed record CrdModel(string Name, string Group, CrdNames Names, bool Namespaced, IReadOnlyList<CrdVersion> Versions)
{
    public const string CleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io";

    public CrdVersion? StorageVersion => Versions.FirstOrDefault(v => v.Storage);

    public static CrdModel Parse(JsonObject crd)
    {
        var spec = crd["spec"] as JsonObject ?? new JsonObject();
        var versions = new List<CrdVersion>();
        foreach (var v in (spec["versions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var subresources = v["subresources"] as JsonObject;
            var scale = subresources?["scale"] is JsonObject sc
                ? new CrdScale(Obj.Str(sc, "specReplicasPath") ?? "", Obj.Str(sc, "statusReplicasPath") ?? "", Obj.Str(sc, "labelSelectorPath"))
                : null;
            var columns = (v["additionalPrinterColumns"] as JsonArray ?? []).OfType<JsonObject>().Select(c => new CrdColumn(
                Obj.Str(c, "name") ?? "", Obj.Str(c, "type") ?? "", Obj.Str(c, "format") ?? "", Obj.Str(c, "description") ?? "",
                c["priority"] is JsonValue p && p.TryGetValue<int>(out var prio) ? prio : 0, Obj.Str(c, "jsonPath") ?? "")).ToList();
            versions.Add(new CrdVersion(
                Obj.Str(v, "name") ?? "",
                v["served"] is JsonValue s && s.TryGetValue<bool>(out var served) && served,
                v["storage"] is JsonValue st && st.TryGetValue<bool>(out var storage) && storage,
                v["schema"]?["openAPIV3Schema"] is JsonObject schema ? CrdSchema.Parse(schema) : null,
                subresources?["status"] is JsonObject,
                scale,
                columns,
                v["deprecated"] is JsonValue d && d.TryGetValue<bool>(out var deprecated) && deprecated,
                Obj.Str(v, "deprecationWarning")));
        }
        return new CrdModel(Obj.Name(crd), Obj.Str(spec, "group") ?? "", CrdNames.Parse(spec["names"]),
            Obj.Str(spec, "scope") != "Cluster", versions);
    }
}
