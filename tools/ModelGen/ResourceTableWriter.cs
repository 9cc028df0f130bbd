using System.Text.Json.Nodes;

namespace Skiff.ModelGen;

/// <summary>Derives one ApiResourceInfo per resource and subresource from the document's paths and writes
/// Generated/BuiltinResources.g.cs. Watch paths only add the watch verb; paths without an
/// x-kubernetes-action (discovery, /version, /logs, well-known) are not resources. Stateless; thread-safe.</summary>
internal static class ResourceTableWriter
{
    private sealed class Entry(string group, string version, string resource, string? subresource)
    {
        public string Group { get; } = group;
        public string Version { get; } = version;
        public string Resource { get; } = resource;
        public string? Subresource { get; } = subresource;
        public bool Namespaced { get; set; }
        public SortedSet<string> Verbs { get; } = new(StringComparer.Ordinal);
        public Gvk? Kind { get; set; }
        /// <summary>Some operation returns a typed object (not a byte stream such as pods/log or exec).</summary>
        public bool ReturnsObject { get; set; }
    }

    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "options", "head"];

    public static (string Path, string Content) Write(SwaggerDocument doc)
    {
        var entries = Collect(doc);
        var kinds = new Dictionary<Gvk, string>();
        foreach (var name in doc.DefinitionNames)
            foreach (var gvk in SwaggerDocument.GroupVersionKinds(doc.Definitions[name]!.AsObject()))
                kinds.TryAdd(gvk, name);

        var w = new CodeWriter();
        w.Line(CodeWriter.Header);
        w.Line("#nullable enable");
        w.Line();
        w.Line("namespace Skiff.Api.Meta;");
        w.Line();
        w.Open("public static partial class BuiltinResources");
        w.Line("/// <summary>Every resource and subresource path the OpenAPI document declares, in document order");
        w.Line("/// (all group/versions, alpha and beta included). Immutable; thread-safe.</summary>");
        w.Line("public static IReadOnlyList<ApiResourceInfo> All { get; } =");
        w.Line("[");
        foreach (var e in entries)
        {
            var kind = e.Kind ?? throw new InvalidOperationException($"{e.Group}/{e.Version} {e.Resource}: no group-version-kind on any operation.");
            string? definition = e.ReturnsObject && kinds.TryGetValue(kind, out var d) ? d : null;
            var verbs = string.Join(", ", e.Verbs.Select(CodeWriter.Literal));
            w.Line($"    new({CodeWriter.Literal(e.Group)}, {CodeWriter.Literal(e.Version)}, {CodeWriter.Literal(e.Resource)}, " +
                   $"{CodeWriter.Literal(e.Subresource)}, {CodeWriter.Literal(kind.Kind)}, {CodeWriter.Literal(kind.Group)}, " +
                   $"{CodeWriter.Literal(kind.Version)}, {(e.Namespaced ? "true" : "false")}, [{verbs}], {CodeWriter.Literal(definition)}),");
        }
        w.Line("];");
        w.Close();
        return ("Generated/BuiltinResources.g.cs", w.ToString());
    }

    private static List<Entry> Collect(SwaggerDocument doc)
    {
        var entries = new List<Entry>();
        var byKey = new Dictionary<(string, string, string, string?), Entry>();
        foreach (var (path, item) in doc.Paths)
        {
            var operations = Methods
                .Select(m => (Method: m, Op: item![m] as JsonObject))
                .Where(o => o.Op?["x-kubernetes-action"] is not null)
                .ToList();
            if (operations.Count == 0 || !TryParse(path, out var group, out var version, out var namespaced, out var resource, out var subresource))
                continue;

            var key = (group, version, resource, subresource);
            if (!byKey.TryGetValue(key, out var entry))
            {
                entry = new Entry(group, version, resource, subresource);
                byKey.Add(key, entry);
                entries.Add(entry);
            }
            entry.Namespaced |= namespaced;
            foreach (var (method, op) in operations)
            {
                var action = (string)op!["x-kubernetes-action"]!;
                if (Verb(action, method) is { } verb) entry.Verbs.Add(verb);
                if (op["x-kubernetes-group-version-kind"] is JsonObject gvk) entry.Kind ??= SwaggerDocument.ToGvk(gvk);
                if (action != "connect" && Returned(op) is JsonObject schema && schema.ContainsKey("$ref")) entry.ReturnsObject = true;
            }
        }
        return entries;
    }

    private static JsonNode? Returned(JsonObject op) =>
        op["responses"]?["200"]?["schema"] ?? op["responses"]?["201"]?["schema"];

    /// <summary>The discovery verb of an operation. Connect operations (exec, attach, portforward, proxy)
    /// are named by HTTP method, as upstream discovery lists them; HEAD and OPTIONS add none.</summary>
    private static string? Verb(string action, string method) => action switch
    {
        "post" => "create",
        "put" => "update",
        "watch" or "watchlist" => "watch",
        "connect" => method switch
        {
            "get" => "get",
            "post" => "create",
            "put" => "update",
            "patch" => "patch",
            "delete" => "delete",
            _ => null,
        },
        _ => action,
    };

    /// <summary>Splits /api/v1/[watch/][namespaces/{namespace}/]resource[/{name}[/sub[/{path}]]] and the
    /// /apis/group/version/... form.</summary>
    private static bool TryParse(string path, out string group, out string version, out bool namespaced,
        out string resource, out string? subresource)
    {
        (group, version, namespaced, resource, subresource) = ("", "", false, "", null);
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        int i;
        if (segments.Length >= 3 && segments[0] == "api") (version, i) = (segments[1], 2);
        else if (segments.Length >= 4 && segments[0] == "apis") (group, version, i) = (segments[1], segments[2], 3);
        else return false;

        if (segments[i] == "watch") i++;
        if (segments.Length - i >= 3 && segments[i] == "namespaces" && segments[i + 1] == "{namespace}")
        {
            namespaced = true;
            i += 2;
        }
        if (i >= segments.Length) return false;
        resource = segments[i];
        if (segments.Length - i >= 3) subresource = segments[i + 2];
        return true;
    }
}
