using System.Text.Json.Nodes;

namespace Skiff.Api.Patch;

/// <summary>
/// The failures of a strategic merge patch with upstream's messages (k8s.io/apimachinery mergepatch and
/// strategicpatch). Upstream answers its named format errors with 400 and "lists of lists" with 422; its other
/// errors (unknown <c>$patch</c> value, missing merge key, mismatched element types) reach the client as 500,
/// which would tell a client the server broke, so here they are 400 as well: the patch is what is wrong.
/// </summary>
internal static class StrategicErrors
{
    public static PatchException BadPrimitiveListFormat() => new("invalid patch format of primitive list");
    public static PatchException BadRetainKeysFormat() => new("invalid patch format of retainKeys");
    public static PatchException BadSetElementOrderFormat() => new("invalid patch format of setElementOrder list");
    public static PatchException NoListOfLists() => new("lists of lists are not supported", isInvalid: true);

    public static PatchException BadPatchType(JsonNode? directive, JsonObject map) =>
        new($"unknown patch type: {StrategicValues.FormatString(directive)} in map: {StrategicValues.Format(map)}");

    public static PatchException NoMergeKey(JsonObject map, string mergeKey) =>
        new($"map: {StrategicValues.Format(map)} does not contain declared merge key: {mergeKey}");

    /// <summary>A value of the wrong JSON type where a list (or map) is required.</summary>
    public static PatchException BadArgType(string expectedGoType, JsonNode? actual) =>
        new($"expected a {expectedGoType}, but received a {StrategicValues.GoType(actual)}");

    public static PatchException NotAMap(int index) => new($"value for key {index} is not a map");

    public static PatchException ElementTypesDiffer(JsonArray original, JsonArray patch) =>
        new($"list element types are not identical: [{StrategicValues.Format(original)} {StrategicValues.Format(patch)}]");

    public static PatchException MergeWithoutMergeKey(string schemaName) => new($"cannot merge lists without merge key for {schemaName}");

    public static PatchException MergeDirectiveInList() => new("merging lists cannot yet be specified in the patch");

    public static PatchException OrderMismatch(JsonArray patchList, JsonArray setOrder) =>
        new($"The order in patch list:\n{StrategicValues.Format(patchList)}\n doesn't match {StrategicDirectives.SetElementOrder} list:\n{StrategicValues.Format(setOrder)}\n");

    /// <summary>The patch body is not a JSON object (upstream's decoder message).</summary>
    public static PatchException NotAnObject(JsonNode patch) =>
        new($"json: cannot unmarshal {StrategicValues.JsonTypeWord(patch)} into Go value of type map[string]interface {{}}");
}
