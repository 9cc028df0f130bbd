using System.Text.Json.Nodes;
using Skiff.Client.Rest;

namespace Skiff.Controllers.Common;

/// <summary>
/// What the API server serves, read from its discovery documents (/api/v1, /apis, /apis/G/V):
/// every resource of every served version with its kind, scope and verbs. Custom resources are
/// included as of the moment of reading; refresh to see newer ones. Immutable once read.
/// </summary>
public sealed class ServedResources
{
    private readonly Dictionary<(string ApiVersion, string Kind), (ResourceDescriptor Resource, IReadOnlyList<string> Verbs)> _byKind = new();

    private ServedResources() { }

    /// <summary>Every served resource (no subresources), with its verbs.</summary>
    public IReadOnlyList<(ResourceDescriptor Resource, IReadOnlyList<string> Verbs, bool Preferred)> All { get; private set; } = [];

    public ResourceDescriptor? ForKind(string apiVersion, string kind) =>
        _byKind.TryGetValue((apiVersion, kind), out var r) ? r.Resource : null;

    public static async Task<ServedResources> ReadAsync(ApiConnection api, CancellationToken ct)
    {
        var result = new ServedResources();
        var all = new List<(ResourceDescriptor, IReadOnlyList<string>, bool)>();
        async Task<JsonObject> Get(string path) =>
            await api.SendAsync(HttpMethod.Get, path, null, async (s, c) => (JsonNode.Parse(await new StreamReader(s).ReadToEndAsync(c)) as JsonObject)!, ct);

        void AddList(JsonObject list, string group, string version, bool preferred)
        {
            if (list["resources"] is not JsonArray resources) return;
            foreach (var r in resources.OfType<JsonObject>())
            {
                var name = r["name"]?.GetValue<string>() ?? "";
                if (name.Contains('/')) continue;
                var verbs = r["verbs"] is JsonArray v ? v.Select(x => x?.GetValue<string>() ?? "").ToList() : [];
                var d = new ResourceDescriptor(group, version, name, r["kind"]?.GetValue<string>() ?? "", r["namespaced"]?.GetValue<bool>() ?? false);
                all.Add((d, verbs, preferred));
                result._byKind.TryAdd((d.ApiVersion, d.Kind), (d, verbs));
            }
        }

        AddList(await Get("/api/v1"), "", "v1", true);
        var groups = await Get("/apis");
        foreach (var g in (groups["groups"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = g["name"]?.GetValue<string>() ?? "";
            var preferred = g["preferredVersion"]?["version"]?.GetValue<string>();
            foreach (var v in (g["versions"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var version = v["version"]?.GetValue<string>() ?? "";
                try { AddList(await Get($"/apis/{name}/{version}"), name, version, version == preferred); }
                catch (ApiException e) when (e.Code == 404) { } // removed between the two reads
            }
        }
        result.All = all;
        return result;
    }
}
