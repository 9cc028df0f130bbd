using System.Text;
using System.Text.Json;
using Skiff.Api.Meta;

namespace Skiff.ApiServer.Tests.OpenApi;

/// <summary>
/// The upstream 1.36 document from ../shared/kubernetes-api/swagger.json (found by walking up
/// from the test binaries), loaded once per test run: its definitions are the builder's input,
/// its paths the expected output. Read-only, shared by all tests.
/// </summary>
public sealed class UpstreamSwagger
{
    private static readonly Lazy<UpstreamSwagger> Shared = new(() => new UpstreamSwagger(Locate()));

    public static UpstreamSwagger Instance => Shared.Value;

    private UpstreamSwagger(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Document = JsonDocument.Parse(bytes);
        DefinitionsJson = Encoding.UTF8.GetBytes(Document.RootElement.GetProperty("definitions").GetRawText());
        Resources = ResourcesFromPaths(Document.RootElement.GetProperty("paths"));
    }

    public JsonDocument Document { get; }

    public JsonElement Paths => Document.RootElement.GetProperty("paths");

    public byte[] DefinitionsJson { get; }

    /// <summary>
    /// What the server will run with: the definitions ModelGen embeds in Skiff.Api once present
    /// (they may carry descriptions), otherwise the shared document's.
    /// </summary>
    public static byte[] ProductDefinitionsJson =>
        Skiff.Api.Schema.OpenApiDefinitions.Utf8Json.Length > 2 ? Skiff.Api.Schema.OpenApiDefinitions.Utf8Json.ToArray() : Instance.DefinitionsJson;

    /// <summary>Every resource and subresource the paths declare, derived the way ModelGen does.</summary>
    public IReadOnlyList<ApiResourceInfo> Resources { get; }

    /// <summary>Follows "#/parameters/…" to the shared parameter it names.</summary>
    public JsonElement Resolve(JsonElement parameter) =>
        parameter.TryGetProperty("$ref", out var r)
            ? Document.RootElement.GetProperty("parameters").GetProperty(r.GetString()!["#/parameters/".Length..])
            : parameter;

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "kubernetes-api", "swagger.json");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("shared/kubernetes-api/swagger.json not found above " + AppContext.BaseDirectory);
    }

    private sealed class Builder
    {
        public string Group = "", Version = "", Resource = "";
        public string? Subresource;
        public bool Namespaced;
        public GroupVersionKind? Gvk;
        public string? Definition;
        public string? ListDefinition;
        public bool Connect;
        public readonly SortedSet<string> Verbs = new(StringComparer.Ordinal);
    }

    private static IReadOnlyList<ApiResourceInfo> ResourcesFromPaths(JsonElement paths)
    {
        var builders = new Dictionary<string, Builder>();
        var order = new List<string>();
        foreach (var path in paths.EnumerateObject())
        {
            if (path.Name.Contains("/watch/")) continue;
            var segments = path.Name.Trim('/').Split('/');
            string group, version;
            int rest;
            if (segments[0] == "api" && segments.Length > 2) { group = ""; version = segments[1]; rest = 2; }
            else if (segments[0] == "apis" && segments.Length > 3) { group = segments[1]; version = segments[2]; rest = 3; }
            else continue;
            var tail = segments[rest..];
            var namespaced = tail.Length >= 3 && tail[0] == "namespaces" && tail[1] == "{namespace}";
            if (namespaced) tail = tail[2..];
            var resource = tail[0];
            var sub = tail.Length >= 3 ? tail[2] : null;

            foreach (var op in path.Value.EnumerateObject())
            {
                if (op.Name == "parameters") continue;
                if (!op.Value.TryGetProperty("x-kubernetes-action", out var actionElement)) continue;
                var key = $"{group}/{version}/{resource}/{sub}";
                if (!builders.TryGetValue(key, out var b))
                {
                    builders[key] = b = new Builder { Group = group, Version = version, Resource = resource, Subresource = sub };
                    order.Add(key);
                }
                b.Namespaced |= namespaced;
                var gvk = op.Value.GetProperty("x-kubernetes-group-version-kind");
                b.Gvk ??= new GroupVersionKind(gvk.GetProperty("group").GetString()!, gvk.GetProperty("version").GetString()!, gvk.GetProperty("kind").GetString()!);
                var action = actionElement.GetString()!;
                var ok = op.Value.GetProperty("responses").TryGetProperty("200", out var r200) && r200.TryGetProperty("schema", out var s)
                    && s.TryGetProperty("$ref", out var rf) ? rf.GetString()!["#/definitions/".Length..] : null;
                switch (action)
                {
                    case "list": b.Verbs.Add("list"); b.ListDefinition ??= ok; break;
                    case "post": b.Verbs.Add("create"); b.Definition ??= ok; break;
                    case "put": b.Verbs.Add("update"); b.Definition ??= ok; break;
                    case "patch": b.Verbs.Add("patch"); b.Definition ??= ok; break;
                    case "get": b.Verbs.Add("get"); b.Definition ??= ok; break;
                    case "delete": b.Verbs.Add("delete"); break;
                    case "deletecollection": b.Verbs.Add("deletecollection"); break;
                    case "connect": b.Connect = true; b.Verbs.Add(op.Name == "post" ? "create" : op.Name); break;
                }
            }
        }
        // Watch support comes from the watch paths, which the loop above skipped.
        foreach (var path in paths.EnumerateObject().Where(p => p.Name.Contains("/watch/")))
        {
            var name = path.Name.Replace("/watch", "");
            var segments = name.Trim('/').Split('/');
            var rest = segments[0] == "api" ? 2 : 3;
            var group = segments[0] == "api" ? "" : segments[1];
            var version = segments[0] == "api" ? segments[1] : segments[2];
            var tail = segments[rest..];
            if (tail.Length >= 3 && tail[0] == "namespaces" && tail[1] == "{namespace}") tail = tail[2..];
            if (builders.TryGetValue($"{group}/{version}/{tail[0]}/", out var b)) b.Verbs.Add("watch");
        }

        return order.Select(k => builders[k]).Select(b =>
        {
            var definition = b.Connect ? null : b.Definition ?? (b.ListDefinition is { } l && l.EndsWith("List") ? l[..^4] : null);
            if (b.Subresource == "log") definition = null;
            var gvk = b.Gvk!.Value;
            return new ApiResourceInfo(b.Group, b.Version, b.Resource, b.Subresource, gvk.Kind, gvk.Group, gvk.Version,
                b.Namespaced, b.Verbs.ToList(), definition);
        }).ToList();
    }
}
