using System.Text.Json.Nodes;
using Skiff.Api.Schema;

namespace Skiff.Api.Patch;

/// <summary>
/// Strategic merge patch (<c>application/strategic-merge-patch+json</c>), the patch kubectl sends for
/// <c>kubectl patch</c> (by default), <c>kubectl edit</c> and client-side <c>kubectl apply</c>. It is JSON merge
/// patch (maps merge recursively, null deletes a field) with list handling read from the schema's
/// <c>x-kubernetes-patch-strategy</c> and <c>x-kubernetes-patch-merge-key</c>, and directives:
/// <list type="bullet">
/// <item><c>$patch: replace | delete</c> on a map (replace it, or empty it) or as a list element (replace the
/// list, or delete the element with the given merge key);</item>
/// <item><c>$retainKeys: [..]</c>: the map keeps only those fields;</item>
/// <item><c>$setElementOrder/&lt;field&gt;: [..]</c>: the order of a merged list;</item>
/// <item><c>$deleteFromPrimitiveList/&lt;field&gt;: [..]</c>: values to remove from a list of primitives.</item>
/// </list>
/// Lists whose field has no "merge" strategy are replaced whole, including <c>x-kubernetes-list-type: map</c>
/// lists without one, as upstream. Where the schema says nothing (null schema, free-form fields, custom
/// resources) maps merge like JSON merge patch and lists are replaced. Thread-safe: holds no state.
/// </summary>
public static class StrategicMergePatch
{
    /// <summary>
    /// Applies <paramref name="patch"/> to <paramref name="original"/> and returns the patched object, always a
    /// <see cref="JsonObject"/>. Neither argument is modified: the result is a new tree that shares no node with
    /// them, so a failed patch leaves the original intact. No directive survives into the result. A JSON null
    /// patch changes nothing.
    /// </summary>
    /// <param name="schema">The definition of the object's kind (e.g. from
    /// <see cref="SchemaExtensions.FindForKind"/>), or null for a kind without patch metadata.</param>
    /// <exception cref="PatchException">The patch is not an object, or is malformed (400, upstream's
    /// message), or asks for lists of lists (422).</exception>
    public static JsonNode Apply(JsonObject original, JsonNode? patch, DefinitionSchema? schema)
    {
        ArgumentNullException.ThrowIfNull(original);
        var target = (JsonObject)original.DeepClone();
        if (patch is null) return target;
        if (patch is not JsonObject patchObject) throw StrategicErrors.NotAnObject(patch);
        return StrategicMapMerge.Merge(target, patchObject, StrategicSchema.Of(schema));
    }
}
