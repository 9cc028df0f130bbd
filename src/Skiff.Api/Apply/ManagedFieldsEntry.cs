using System.Globalization;
using System.Text.Json.Nodes;
using Skiff.Api.Json;

namespace Skiff.Api.FieldManagement;

/// <summary>
/// One <c>metadata.managedFields</c> entry: who (manager, operation, apiVersion, subresource) owns which
/// fields, and since when. Two entries are the same owner when their <see cref="Identity"/> matches:
/// an Update owner is per apiVersion, an Apply owner is not. Immutable.
/// </summary>
public sealed record ManagedFieldsEntry(
    string Manager,
    string Operation,
    string ApiVersion,
    DateTimeOffset? Time,
    FieldSet Fields,
    string? Subresource = null)
{
    public const string Apply = "Apply";
    public const string Update = "Update";

    public bool IsApply => Operation == Apply;

    /// <summary>The owner identity upstream keys its manager map by.</summary>
    public (string Manager, string Operation, string ApiVersion, string Subresource) Identity =>
        (Manager, Operation, IsApply ? "" : ApiVersion, Subresource ?? "");

    /// <summary>The owner as upstream names it in a conflict: <c>"kubectl"</c>, or
    /// <c>"kubectl-client-side-apply" using apps/v1</c> for an Update owner.</summary>
    public string DisplayName
    {
        get
        {
            var name = Quote(Manager);
            if (!string.IsNullOrEmpty(Subresource)) name += $" with subresource {Quote(Subresource)}";
            return IsApply ? name : $"{name} using {ApiVersion}";
        }
    }

    private static string Quote(string s) => JsonValues.ToJson(JsonValue.Create(s));

    /// <summary>The entry as stored, fields in upstream's order, empty optional fields left out.</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject { ["manager"] = Manager, ["operation"] = Operation };
        if (ApiVersion.Length > 0) o["apiVersion"] = ApiVersion;
        if (Time is { } t) o["time"] = FormatTime(t);
        o["fieldsType"] = "FieldsV1";
        o["fieldsV1"] = Fields.ToFieldsV1();
        if (!string.IsNullOrEmpty(Subresource)) o["subresource"] = Subresource;
        return o;
    }

    public static string FormatTime(DateTimeOffset t) =>
        KubernetesTime.FormatTime(t);

    /// <exception cref="FormatException">The entry is not a FieldsV1 managed-fields entry.</exception>
    public static ManagedFieldsEntry FromJson(JsonNode? node)
    {
        if (node is not JsonObject o) throw new FormatException("managedFields entry must be an object");
        var fieldsType = Str(o, "fieldsType");
        if (fieldsType.Length > 0 && fieldsType != "FieldsV1") throw new FormatException($"invalid fieldsType \"{fieldsType}\"");
        DateTimeOffset? time = null;
        if (Str(o, "time") is { Length: > 0 } text)
            time = DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
        return new ManagedFieldsEntry(Str(o, "manager"), Str(o, "operation"), Str(o, "apiVersion"), time,
            FieldSet.FromFieldsV1(o["fieldsV1"]), Str(o, "subresource") is { Length: > 0 } s ? s : null);
    }

    private static string Str(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
}
