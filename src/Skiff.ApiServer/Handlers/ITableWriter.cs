using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Handlers;

/// <summary>Writes meta.k8s.io/v1 Table responses for a resource (server-side printing).</summary>
public interface ITableWriter
{
    /// <param name="includeColumns">false for watch events after the first, as upstream omits them.</param>
    void Write(Utf8JsonWriter w, ServedResource r, IReadOnlyList<JsonObject> items, string resourceVersion,
        string? continueToken, long? remainingItemCount, string includeObject, bool includeColumns);
}
