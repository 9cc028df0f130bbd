using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Serialization;

namespace Skiff.ApiServer.CustomResources;

/// <summary>
/// Upstream's validation of a CustomResourceDefinition (apiextensions.k8s.io/v1) with its field paths
/// and messages: metadata.name is plural.group, the group has a dot, names are DNS labels, scope is
/// Namespaced or Cluster, exactly one storage version, and every version has a structural schema.
/// Runs after <see cref="CrdDefaults"/>. Stateless and thread-safe.
/// </summary>
public static class CrdValidation
{
    private static readonly string[] ColumnTypes = ["boolean", "date", "integer", "number", "string"];
    private static readonly string[] ColumnFormats = ["byte", "date", "date-time", "double", "float", "int32", "int64", "password"];

    public static List<FieldError> Validate(JsonObject crd)
    {
        var errors = new List<FieldError>();
        var spec = crd["spec"] as JsonObject ?? new JsonObject();
        var group = Obj.Str(spec, "group") ?? "";
        var names = spec["names"] as JsonObject ?? new JsonObject();
        var plural = Obj.Str(names, "plural") ?? "";

        var meta = crd["metadata"] as JsonObject;
        foreach (var e in ObjectMetaValidator.Validate(meta, NameRule.DnsSubdomain, namespaced: false))
            errors.Add(e);
        var name = Obj.Str(meta, "name") ?? "";
        if (name.Length > 0 && name != $"{plural}.{group}")
            errors.Add(new(FieldErrorType.Invalid, "metadata.name", name, "must be spec.names.plural+\".\"+spec.group"));

        if (group.Length == 0) errors.Add(new(FieldErrorType.Required, "spec.group", null, ""));
        else if (NameFormats.IsDns1123Subdomain(group) is { Count: > 0 } groupErrors)
            errors.Add(new(FieldErrorType.Invalid, "spec.group", group, string.Join(",", groupErrors)));
        else if (!group.Contains('.'))
            errors.Add(new(FieldErrorType.Invalid, "spec.group", group, "should be a domain with at least one dot"));

        var scope = Obj.Str(spec, "scope") ?? "";
        if (scope.Length == 0) errors.Add(new(FieldErrorType.Required, "spec.scope", null, ""));
        else if (scope is not ("Cluster" or "Namespaced"))
            errors.Add(new(FieldErrorType.NotSupported, "spec.scope", scope, "supported values: \"Cluster\", \"Namespaced\""));

        var versions = (spec["versions"] as JsonArray ?? []).ToList();
        if (versions.Count == 0) errors.Add(new(FieldErrorType.Required, "spec.versions", null, "must have at least one version"));
        var storageCount = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var unique = true;
        for (var i = 0; i < versions.Count; i++)
        {
            var path = $"spec.versions[{i}]";
            if (versions[i] is not JsonObject v) continue;
            var vname = Obj.Str(v, "name") ?? "";
            if (v["storage"] is JsonValue st && st.TryGetValue<bool>(out var storage) && storage) storageCount++;
            if (!seen.Add(vname)) unique = false;
            if (NameFormats.IsDns1035Label(vname) is { Count: > 0 } versionErrors)
                errors.Add(new(FieldErrorType.Invalid, path + ".name", vname, string.Join(",", versionErrors)));
            Version(v, path, errors);
        }
        if (!unique) errors.Add(new(FieldErrorType.Invalid, "spec.versions", new LiteralValue("[...]"), "must contain unique version names"));
        if (versions.Count > 0 && storageCount != 1)
            errors.Add(new(FieldErrorType.Invalid, "spec.versions", new LiteralValue("[...]"), "must have exactly one version marked as storage version"));

        if (plural.Length == 0) errors.Add(new(FieldErrorType.Required, "spec.names.plural", null, ""));
        if ((Obj.Str(names, "singular") ?? "").Length == 0) errors.Add(new(FieldErrorType.Required, "spec.names.singular", null, ""));
        if ((Obj.Str(names, "kind") ?? "").Length == 0) errors.Add(new(FieldErrorType.Required, "spec.names.kind", null, ""));
        if ((Obj.Str(names, "listKind") ?? "").Length == 0) errors.Add(new(FieldErrorType.Required, "spec.names.listKind", null, ""));
        Names(names, "spec.names", errors);
        if (crd["status"]?["acceptedNames"] is JsonObject accepted) Names(accepted, "status.acceptedNames", errors);

        var strategy = Obj.Str(spec["conversion"], "strategy") ?? "";
        if (strategy.Length == 0) errors.Add(new(FieldErrorType.Required, "spec.conversion.strategy", null, ""));
        else if (strategy != "None")
            // Skiff cannot call conversion webhooks; accepting one would serve unconverted objects.
            errors.Add(new(FieldErrorType.NotSupported, "spec.conversion.strategy", strategy, "supported values: \"None\""));
        return errors;
    }

    /// <summary>ValidateCustomResourceDefinitionNames: DNS-1035 labels, kind and listKind distinct.</summary>
    private static void Names(JsonObject names, string path, List<FieldError> errors)
    {
        void Label(string field, string value, string prefix = "")
        {
            if (value.Length == 0) return;
            var check = NameFormats.IsDns1035Label(prefix.Length > 0 ? value.ToLowerInvariant() : value);
            if (check.Count > 0) errors.Add(new(FieldErrorType.Invalid, $"{path}.{field}", value, prefix + string.Join(",", check)));
        }
        Label("plural", Obj.Str(names, "plural") ?? "");
        Label("singular", Obj.Str(names, "singular") ?? "");
        Label("kind", Obj.Str(names, "kind") ?? "", "may have mixed case, but should otherwise match: ");
        Label("listKind", Obj.Str(names, "listKind") ?? "", "may have mixed case, but should otherwise match: ");
        var shortNames = CrdNames.Strings(names["shortNames"]);
        for (var i = 0; i < shortNames.Count; i++)
            if (NameFormats.IsDns1035Label(shortNames[i]) is { Count: > 0 } e)
                errors.Add(new(FieldErrorType.Invalid, $"{path}.shortNames[{i}]", shortNames[i], string.Join(",", e)));
        var kind = Obj.Str(names, "kind") ?? "";
        if (kind.Length > 0 && kind == Obj.Str(names, "listKind"))
            errors.Add(new(FieldErrorType.Invalid, $"{path}.listKind", kind, "kind and listKind may not be the same"));
        var categories = CrdNames.Strings(names["categories"]);
        for (var i = 0; i < categories.Count; i++)
            if (NameFormats.IsDns1035Label(categories[i]) is { Count: > 0 } e)
                errors.Add(new(FieldErrorType.Invalid, $"{path}.categories[{i}]", categories[i], string.Join(",", e)));
    }

    private static void Version(JsonObject v, string path, List<FieldError> errors)
    {
        var subresources = v["subresources"] as JsonObject;
        var schema = v["schema"]?["openAPIV3Schema"] as JsonObject;
        if (schema is null)
            errors.Add(new(FieldErrorType.Required, path + ".schema.openAPIV3Schema", null, "schemas are required"));
        else
        {
            var schemaPath = path + ".schema.openAPIV3Schema";
            var before = errors.Count;
            SchemaRules(schema, schemaPath, errors);
            if (errors.Count == before) Structural(schema, schemaPath, Level.Root, errors);
            if (errors.Count == before) Defaults(CrdSchema.Parse(schema), schemaPath, errors);
        }

        if (subresources?["scale"] is JsonObject scale)
        {
            var sp = path + ".subresources.scale";
            ScalePath(scale, "specReplicasPath", ".spec.", sp, errors, required: true);
            ScalePath(scale, "statusReplicasPath", ".status.", sp, errors, required: true);
            ScalePath(scale, "labelSelectorPath", ".status.", sp, errors, required: false);
        }

        var columns = (v["additionalPrinterColumns"] as JsonArray ?? []).ToList();
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i] is not JsonObject c) continue;
            var cp = $"{path}.additionalPrinterColumns[{i}]";
            if ((Obj.Str(c, "name") ?? "").Length == 0) errors.Add(new(FieldErrorType.Required, cp + ".name", null, ""));
            var type = Obj.Str(c, "type") ?? "";
            if (type.Length == 0) errors.Add(new(FieldErrorType.Required, cp + ".type", null, "must be one of " + string.Join(",", ColumnTypes)));
            else if (!ColumnTypes.Contains(type)) errors.Add(new(FieldErrorType.Invalid, cp + ".type", type, "must be one of " + string.Join(",", ColumnTypes)));
            var format = Obj.Str(c, "format") ?? "";
            if (format.Length > 0 && !ColumnFormats.Contains(format))
                errors.Add(new(FieldErrorType.Invalid, cp + ".format", format, "must be one of " + string.Join(",", ColumnFormats)));
            var jsonPath = Obj.Str(c, "jsonPath") ?? "";
            if (jsonPath.Length == 0) errors.Add(new(FieldErrorType.Required, cp + ".jsonPath", null, ""));
            else if (SimpleJsonPath.Check(jsonPath) is { } problem) errors.Add(new(FieldErrorType.Invalid, cp + ".jsonPath", jsonPath, problem));
        }
    }

    private static void ScalePath(JsonObject scale, string field, string under, string path, List<FieldError> errors, bool required)
    {
        var value = Obj.Str(scale, field) ?? "";
        if (value.Length == 0)
        {
            if (required) errors.Add(new(FieldErrorType.Required, $"{path}.{field}", null, ""));
            return;
        }
        if (SimpleJsonPath.Check(value) is { } problem) errors.Add(new(FieldErrorType.Invalid, $"{path}.{field}", value, problem));
        else if (!value.StartsWith(under, StringComparison.Ordinal))
            errors.Add(new(FieldErrorType.Invalid, $"{path}.{field}", value, $"should be a json path under {under.TrimEnd('.')}"));
    }

    /// <summary>The OpenAPI v3 restrictions of apiextensions (no $ref, no uniqueItems, ...), recursively.</summary>
    private static void SchemaRules(JsonObject s, string path, List<FieldError> errors)
    {
        void Forbid(string field, string message)
        {
            if (s.ContainsKey(field)) errors.Add(new(FieldErrorType.Forbidden, $"{path}.{field}", null, message));
        }
        Forbid("$ref", "$ref is not supported");
        Forbid("id", "id is not supported");
        Forbid("additionalItems", "additionalItems is not supported");
        Forbid("patternProperties", "patternProperties is not supported");
        Forbid("definitions", "definitions is not supported");
        Forbid("dependencies", "dependencies is not supported");
        if (Obj.Str(s, "type") == "null") errors.Add(new(FieldErrorType.Forbidden, path + ".type", null, "type cannot be set to null"));
        if (s["items"] is JsonArray) errors.Add(new(FieldErrorType.Forbidden, path + ".items", null, "items must be a schema object and not an array"));
        if (s["uniqueItems"] is JsonValue u && u.TryGetValue<bool>(out var unique) && unique)
            errors.Add(new(FieldErrorType.Forbidden, path + ".uniqueItems", null, "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"));
        if (s["properties"] is JsonObject { Count: > 0 } && s["additionalProperties"] is { } ap
            && (ap is JsonObject || (ap is JsonValue av && av.TryGetValue<bool>(out var allows) && !allows)))
            errors.Add(new(FieldErrorType.Forbidden, path + ".additionalProperties", null, "additionalProperties and properties are mutual exclusive"));
        if (Obj.Str(s, "pattern") is { } pattern)
        {
            try { _ = new System.Text.RegularExpressions.Regex(pattern); }
            catch (ArgumentException e)
            {
                errors.Add(new(FieldErrorType.Invalid, path + ".pattern", pattern, "must be a valid regular expression, but isn't: " + e.Message));
            }
        }
        if (s["additionalProperties"] is JsonObject aps) SchemaRules(aps, path + ".additionalProperties", errors);
        if (s["properties"] is JsonObject props)
            foreach (var (k, p) in props.OrderBy(p => p.Key, StringComparer.Ordinal))
                if (p is JsonObject ps) SchemaRules(ps, $"{path}.properties[{k}]", errors);
        if (s["items"] is JsonObject items) SchemaRules(items, path + ".items", errors);
        foreach (var junctor in new[] { "allOf", "anyOf", "oneOf" })
            if (s[junctor] is JsonArray list)
                for (var i = 0; i < list.Count; i++)
                    if (list[i] is JsonObject js) SchemaRules(js, $"{path}.{junctor}[{i}]", errors);
        if (s["not"] is JsonObject not) SchemaRules(not, path + ".not", errors);
    }

    private enum Level { Root, Item, Field }

    /// <summary>The structural-schema invariants: a type everywhere, items for arrays, metadata only
    /// restricted by name and generateName, consistent x-kubernetes extensions.</summary>
    private static void Structural(JsonObject s, string path, Level level, List<FieldError> errors)
    {
        var type = Obj.Str(s, "type") ?? "";
        var intOrString = Flag(s, "x-kubernetes-int-or-string");
        var preserve = Flag(s, "x-kubernetes-preserve-unknown-fields");
        var embedded = Flag(s, "x-kubernetes-embedded-resource");
        if (embedded && type != "object")
        {
            errors.Add(type.Length == 0
                ? new FieldError(FieldErrorType.Required, path + ".type", null, "must be object if x-kubernetes-embedded-resource is true")
                : new FieldError(FieldErrorType.Invalid, path + ".type", type, "must be object if x-kubernetes-embedded-resource is true"));
        }
        else if (type.Length == 0 && !intOrString && !preserve)
        {
            errors.Add(new(FieldErrorType.Required, path + ".type", null, level switch
            {
                Level.Root => "must not be empty at the root",
                Level.Item => "must not be empty for specified array items",
                _ => "must not be empty for specified object fields",
            }));
        }
        if (level == Level.Root && type.Length > 0 && type != "object")
            errors.Add(new(FieldErrorType.Invalid, path + ".type", type, "must be object at the root"));
        if (level == Level.Root && s["additionalProperties"] is not null)
            errors.Add(new(FieldErrorType.Forbidden, path + ".additionalProperties", null, "must not be used at the root"));
        if (embedded && s["additionalProperties"] is not null)
            errors.Add(new(FieldErrorType.Forbidden, path + ".additionalProperties", null, "must not be used if x-kubernetes-embedded-resource is set"));
        if (embedded && !preserve && s["properties"] is not JsonObject { Count: > 0 })
            errors.Add(new(FieldErrorType.Required, path + ".properties", null, "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"));
        if (intOrString && type.Length > 0)
            errors.Add(new(FieldErrorType.Invalid, path + ".type", type, "must be empty if x-kubernetes-int-or-string is true"));
        if (intOrString && preserve)
            errors.Add(new(FieldErrorType.Invalid, path + ".x-kubernetes-preserve-unknown-fields", true, "must be false if x-kubernetes-int-or-string is true"));
        if (type == "array" && s["items"] is not JsonObject)
            errors.Add(new(FieldErrorType.Required, path + ".items", null, "must be specified"));
        var listType = Obj.Str(s, "x-kubernetes-list-type");
        if (listType is not null and not ("atomic" or "set" or "map"))
            errors.Add(new(FieldErrorType.NotSupported, path + ".x-kubernetes-list-type", listType, "supported values: \"atomic\", \"map\", \"set\""));
        if (listType is not null && type != "array")
            errors.Add(new(FieldErrorType.Invalid, path + ".x-kubernetes-list-type", listType, "must only be used if type is array"));
        if (listType == "map" && s["x-kubernetes-list-map-keys"] is not JsonArray { Count: > 0 })
            errors.Add(new(FieldErrorType.Required, path + ".x-kubernetes-list-map-keys", null, "must not be empty if x-kubernetes-list-type is map"));

        if (s["properties"] is JsonObject props)
        {
            if (level == Level.Root || embedded)
            {
                foreach (var f in new[] { "kind", "apiVersion" })
                    if (props[f] is JsonObject p && Obj.Str(p, "type") != "string")
                        errors.Add(new(FieldErrorType.Invalid, $"{path}.properties[{f}].type", Obj.Str(p, "type") ?? "", "must be string"));
                if (props["metadata"] is JsonObject m && Obj.Str(m, "type") != "object")
                    errors.Add(new(FieldErrorType.Invalid, $"{path}.properties[metadata].type", Obj.Str(m, "type") ?? "", "must be object"));
            }
            if (level == Level.Root && props["metadata"] is JsonObject metadata && !MetadataIsNameOnly(metadata))
                errors.Add(new(FieldErrorType.Forbidden, path + ".properties[metadata]", null,
                    "must not specify anything other than name and generateName, but metadata is implicitly specified"));
            foreach (var (k, p) in props.OrderBy(p => p.Key, StringComparer.Ordinal))
                if (p is JsonObject ps && !(level == Level.Root && k == "metadata")) Structural(ps, $"{path}.properties[{k}]", Level.Field, errors);
        }
        if (s["additionalProperties"] is JsonObject aps) Structural(aps, path + ".additionalProperties", Level.Field, errors);
        if (s["items"] is JsonObject items) Structural(items, path + ".items", Level.Item, errors);
    }

    /// <summary>At the root, metadata may only carry type: object and rules for name and generateName.</summary>
    private static bool MetadataIsNameOnly(JsonObject metadata)
    {
        foreach (var (k, v) in metadata)
        {
            if (k is "type" or "description") continue;
            if (k != "properties" || v is not JsonObject props) return false;
            if (props.Any(p => p.Key is not ("name" or "generateName"))) return false;
        }
        return true;
    }

    /// <summary>Each default must itself be valid (and survive pruning) under its own schema.</summary>
    private static void Defaults(CrdSchema s, string path, List<FieldError> errors)
    {
        if (s.Default is { } d)
        {
            var probe = new JsonObject { ["v"] = d.DeepClone() };
            var holder = new CrdSchemaHolder(s);
            var pruned = SchemaPruner.Prune(probe, holder.Root);
            foreach (var p in pruned)
                errors.Add(new(FieldErrorType.Invalid, path + ".default", new LiteralValue(d.ToJsonString()), $"unknown field \"{p[2..]}\""));
            foreach (var e in SchemaValidator.Validate(probe, holder.Root))
                errors.Add(new(e.Type, path + ".default" + e.Field[1..], e.BadValue, e.Detail.Replace("v in body", "in body").Replace("v.", "")));
        }
        foreach (var (k, p) in s.Properties.OrderBy(p => p.Key, StringComparer.Ordinal)) Defaults(p, $"{path}.properties[{k}]", errors);
        if (s.AdditionalProperties is { } ap) Defaults(ap, path + ".additionalProperties", errors);
        if (s.Items is { } items) Defaults(items, path + ".items", errors);
    }

    /// <summary>Wraps a schema node as property "v" of a root, so a default can be validated and pruned alone.</summary>
    private sealed class CrdSchemaHolder(CrdSchema node)
    {
        public CrdSchema Root { get; } = CrdSchema.Parse(new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject { ["v"] = node.Json.DeepClone() },
        });
    }

    private static bool Flag(JsonObject s, string name) => s[name] is JsonValue v && v.TryGetValue<bool>(out var b) && b;
}
