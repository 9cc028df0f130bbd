using System.Text;
using System.Text.Json.Nodes;

namespace Skiff.Api.Validation;

/// <summary>
/// Upstream's ValidateObjectMeta over a JSON metadata object: name/generateName, namespace against the
/// resource's scope, generation, labels, annotations (keys and total size), owner references and
/// finalizers. Field paths and messages are upstream's ("metadata.name", "metadata.labels[app]", ...).
/// </summary>
/// <remarks>Stateless and thread-safe; does not modify the metadata.</remarks>
public static class ObjectMetaValidator
{
    /// <summary>Upstream's TotalAnnotationSizeLimitB: keys plus values, in bytes.</summary>
    public const int TotalAnnotationSizeLimitBytes = 256 * 1024;

    private const string FinalizerOrphan = "orphan";
    private const string FinalizerDeleteDependents = "foregroundDeletion";

    /// <summary>Validates <paramref name="metadata"/> (null counts as empty) for a resource with the
    /// given name rule and scope. Errors are in upstream's order; map keys are visited sorted.</summary>
    public static List<FieldError> Validate(JsonObject? metadata, NameRule nameRule, bool namespaced, string path = "metadata")
    {
        var errs = new List<FieldError>();
        var name = GetString(metadata, "name");
        var generateName = GetString(metadata, "generateName");
        var ns = GetString(metadata, "namespace");

        if (generateName.Length != 0)
            foreach (var msg in nameRule.Check(generateName, prefix: true))
                errs.Add(new(FieldErrorType.Invalid, path + ".generateName", generateName, msg));

        if (name.Length == 0)
            errs.Add(new(FieldErrorType.Required, path + ".name", null, "name or generateName is required"));
        else
            foreach (var msg in nameRule.Check(name))
                errs.Add(new(FieldErrorType.Invalid, path + ".name", name, msg));

        if (namespaced)
        {
            if (ns.Length == 0)
                errs.Add(new(FieldErrorType.Required, path + ".namespace", null, ""));
            else
                foreach (var msg in NameRule.DnsLabel.Check(ns))
                    errs.Add(new(FieldErrorType.Invalid, path + ".namespace", ns, msg));
        }
        else if (ns.Length != 0)
            errs.Add(new(FieldErrorType.Forbidden, path + ".namespace", null, "not allowed on this type"));

        if (metadata?["generation"] is JsonValue g && g.TryGetValue<long>(out var generation) && generation < 0)
            errs.Add(new(FieldErrorType.Invalid, path + ".generation", generation, "must be greater than or equal to 0"));

        errs.AddRange(ValidateLabels(metadata?["labels"] as JsonObject, path + ".labels"));
        errs.AddRange(ValidateAnnotations(metadata?["annotations"] as JsonObject, path + ".annotations"));
        errs.AddRange(ValidateOwnerReferences(metadata?["ownerReferences"] as JsonArray, path + ".ownerReferences"));
        errs.AddRange(ValidateFinalizers(metadata?["finalizers"] as JsonArray, path + ".finalizers"));
        return errs;
    }

    /// <summary>Label keys must be qualified names, values valid label values (63 characters at most).</summary>
    public static List<FieldError> ValidateLabels(JsonObject? labels, string path)
    {
        var errs = new List<FieldError>();
        if (labels is null) return errs;
        foreach (var (key, node) in labels.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            foreach (var msg in NameFormats.IsQualifiedName(key))
                errs.Add(new(FieldErrorType.Invalid, path, key, msg));
            var value = node is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
            foreach (var msg in NameFormats.IsValidLabelValue(value))
                errs.Add(new(FieldErrorType.Invalid, $"{path}[{key}]", value, msg));
        }
        return errs;
    }

    /// <summary>Annotation keys are qualified names compared case-insensitively; all keys and values
    /// together may not exceed <see cref="TotalAnnotationSizeLimitBytes"/>.</summary>
    public static List<FieldError> ValidateAnnotations(JsonObject? annotations, string path)
    {
        var errs = new List<FieldError>();
        if (annotations is null) return errs;
        long total = 0;
        foreach (var (key, node) in annotations.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            foreach (var msg in NameFormats.IsQualifiedName(key.ToLowerInvariant()))
                errs.Add(new(FieldErrorType.Invalid, path, key, msg));
            var value = node is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
            total += Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value);
        }
        if (total > TotalAnnotationSizeLimitBytes)
            errs.Add(new(FieldErrorType.TooLong, path, "", $"may not be more than {TotalAnnotationSizeLimitBytes} bytes"));
        return errs;
    }

    public static List<FieldError> ValidateOwnerReferences(JsonArray? refs, string path)
    {
        var errs = new List<FieldError>();
        if (refs is null) return errs;
        var controllers = new List<string>();
        for (var i = 0; i < refs.Count; i++)
        {
            var item = refs[i] as JsonObject;
            var at = $"{path}[{i}]";
            var apiVersion = GetString(item, "apiVersion");
            var kind = GetString(item, "kind");
            var name = GetString(item, "name");
            var uid = GetString(item, "uid");
            var slash = apiVersion.IndexOf('/');
            var version = slash < 0 ? apiVersion : apiVersion[(slash + 1)..];
            if (version.Length == 0) errs.Add(new(FieldErrorType.Invalid, at + ".apiVersion", apiVersion, "version must not be empty"));
            if (kind.Length == 0) errs.Add(new(FieldErrorType.Invalid, at + ".kind", kind, "must not be empty"));
            if (name.Length == 0) errs.Add(new(FieldErrorType.Invalid, at + ".name", name, "must not be empty"));
            if (uid.Length == 0) errs.Add(new(FieldErrorType.Invalid, at + ".uid", uid, "must not be empty"));
            if (item?["controller"] is JsonValue c && c.TryGetValue<bool>(out var isController) && isController)
                controllers.Add($"{kind}/{name}");
        }
        if (controllers.Count > 1)
            errs.Add(new(FieldErrorType.Invalid, path, null,
                $"Only one reference can have Controller set to true. Found \"true\" in references for {string.Join(" and ", controllers)}"));
        return errs;
    }

    public static List<FieldError> ValidateFinalizers(JsonArray? finalizers, string path)
    {
        var errs = new List<FieldError>();
        if (finalizers is null) return errs;
        var names = finalizers.Select(f => f is JsonValue v && v.TryGetValue<string>(out var s) ? s : "").ToList();
        foreach (var finalizer in names)
            foreach (var msg in NameFormats.IsQualifiedName(finalizer))
                errs.Add(new(FieldErrorType.Invalid, path, finalizer, msg));
        if (names.Contains(FinalizerOrphan) && names.Contains(FinalizerDeleteDependents))
            errs.Add(new(FieldErrorType.Invalid, path, null, "finalizer orphan and foregroundDeletion cannot be both set"));
        return errs;
    }

    private static string GetString(JsonObject? obj, string property) =>
        obj?[property] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
}
