using Skiff.Api.Meta;

namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// Turns the served resources into the OpenAPI paths upstream's installer would register for
/// them: collection, item, all-namespaces and watch paths, subresources, connect endpoints and
/// the discovery paths (/api/, /apis/, /apis/{group}/, …/{version}/, /version/).
/// Pure and stateless: safe to call from any thread.
/// </summary>
public static class PathPlanner
{
    private const string MetaV1 = "io.k8s.apimachinery.pkg.apis.meta.v1.";
    private const string StatusDefinition = MetaV1 + "Status";
    private const string WatchEventDefinition = MetaV1 + "WatchEvent";

    /// <param name="served">The resources and subresources being served.</param>
    /// <param name="hasDefinition">Whether a definition exists; responses and bodies naming a
    /// missing one get no schema, so no document ever holds a dangling $ref.</param>
    /// <param name="isCustom">Whether a resource is a custom resource (a CRD's): its patch operations do
    /// not accept strategic merge patch, which clients such as kubectl apply read from the document.</param>
    public static IReadOnlyList<PathSpec> Plan(IEnumerable<ApiResourceInfo> served, Func<string, bool> hasDefinition,
        Func<ApiResourceInfo, bool>? isCustom = null)
    {
        var paths = new List<PathSpec>();
        var byGroupVersion = Merge(served)
            .GroupBy(r => r.GroupVersion)
            .OrderBy(g => g.Key.Group, StringComparer.Ordinal).ThenBy(g => g.Key.Version, StringComparer.Ordinal);

        var groups = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var gv in byGroupVersion)
        {
            var resources = gv.ToList();
            var context = new GroupVersionContext(gv.Key, resources, isCustom ?? (_ => false));
            if (gv.Key.Group.Length == 0) paths.Add(CoreVersionsPath());
            else groups.Add(gv.Key.Group);
            paths.Add(ResourceListPath(context));
            foreach (var r in resources.OrderBy(r => r.Resource, StringComparer.Ordinal).ThenBy(r => r.Subresource ?? "", StringComparer.Ordinal))
                context.AddPaths(r, paths);
        }
        if (groups.Count > 0) paths.Add(GroupListPath());
        foreach (var g in groups) paths.Add(GroupPath(g));
        paths.Add(VersionPath());

        // One PathSpec per path: the core "/api/" entry is added once per core version.
        return paths
            .GroupBy(p => p.Path, StringComparer.Ordinal)
            .Select(g => WithoutMissingDefinitions(g.First(), hasDefinition))
            .OrderBy(p => p.Path, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// One entry per (group, version, resource, subresource): entries listed more than once are
    /// merged (verbs united), and "proxy/{path}"-style names are left to their base subresource,
    /// which already yields the "/{path}" form.
    /// </summary>
    private static IEnumerable<ApiResourceInfo> Merge(IEnumerable<ApiResourceInfo> served) =>
        served
            .Where(r => r.Subresource is null || (!r.Subresource.Contains('/') && !r.Subresource.Contains('{')))
            .GroupBy(r => (r.Group, r.Version, r.Resource, r.Subresource))
            .Select(g => g.Count() == 1 ? g.First() : g.First() with
            {
                Namespaced = g.Any(r => r.Namespaced),
                Verbs = g.SelectMany(r => r.Verbs).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
                Definition = g.Select(r => r.Definition).FirstOrDefault(d => d is not null),
            });

    /// <summary>Drops schema references to definitions that do not exist (bodies become untyped objects).</summary>
    private static PathSpec WithoutMissingDefinitions(PathSpec path, Func<string, bool> hasDefinition)
    {
        string? Known(string? d) => d is not null && hasDefinition(d) ? d : null;
        return path with
        {
            Operations = path.Operations.Select(o => o with
            {
                Parameters = o.Parameters.Select(p => p with { BodyDefinition = Known(p.BodyDefinition) }).ToList(),
                Responses = o.Responses.Select(r => r with { Definition = Known(r.Definition) }).ToList(),
            }).ToList(),
        };
    }

    /// <summary>"api/v1" or "apis/apps/v1": the v3 document key and URL path of a group/version.</summary>
    public static string DocumentKey(GroupVersion gv) => gv.Group.Length == 0 ? $"api/{gv.Version}" : $"apis/{gv.Group}/{gv.Version}";

    private static PathSpec Discovery(string path, string key, string operationId, string tag, IReadOnlyList<string> media, string definition) =>
        new(path, key, [], [new OperationSpec("get", operationId, tag, media, media, [], [Ok(definition), Unauthorized], null, null)]);

    private static PathSpec CoreVersionsPath() =>
        Discovery("/api/", "api", "getCoreAPIVersions", "core", MediaTypes.GroupDiscovery, MetaV1 + "APIVersions");

    private static PathSpec GroupListPath() =>
        Discovery("/apis/", "apis", "getAPIVersions", "apis", MediaTypes.GroupDiscovery, MetaV1 + "APIGroupList");

    private static PathSpec GroupPath(string group) =>
        Discovery($"/apis/{group}/", $"apis/{group}", $"get{OperationNames.GroupPart(group)}APIGroup",
            OperationNames.GroupTag(group), MediaTypes.GroupDiscovery, MetaV1 + "APIGroup");

    private static PathSpec ResourceListPath(GroupVersionContext c) =>
        Discovery(c.Prefix + "/", c.Key, $"get{c.NamePart}APIResources", c.Tag, MediaTypes.Object, MetaV1 + "APIResourceList");

    private static PathSpec VersionPath() =>
        Discovery("/version/", "version", "getCodeVersion", "version", MediaTypes.Json, "io.k8s.apimachinery.pkg.version.Info");

    private static ResponseSpec Ok(string? definition) => new("200", "OK", definition);
    private static readonly ResponseSpec Unauthorized = new("401", "Unauthorized");

    /// <summary>Per group/version state while planning: prefix, names, and the parent kinds of subresources.</summary>
    private sealed class GroupVersionContext
    {
        private readonly Dictionary<string, ApiResourceInfo> _parents;
        private readonly Func<ApiResourceInfo, bool> _isCustom;

        public GroupVersionContext(GroupVersion gv, IReadOnlyList<ApiResourceInfo> resources, Func<ApiResourceInfo, bool> isCustom)
        {
            GroupVersion = gv;
            _isCustom = isCustom;
            _parents = resources.Where(r => r.Subresource is null)
                .GroupBy(r => r.Resource, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            Prefix = gv.Group.Length == 0 ? $"/api/{gv.Version}" : $"/apis/{gv.Group}/{gv.Version}";
            Key = DocumentKey(gv);
            NamePart = OperationNames.GroupVersionPart(gv.Group, gv.Version);
            Tag = OperationNames.GroupVersionTag(gv.Group, gv.Version);
        }

        public GroupVersion GroupVersion { get; }
        public string Prefix { get; }
        public string Key { get; }
        public string NamePart { get; }
        public string Tag { get; }

        public void AddPaths(ApiResourceInfo r, List<PathSpec> paths)
        {
            if (r.Subresource is null) AddResourcePaths(r, paths);
            else AddSubresourcePaths(r, paths);
        }

        /// <summary>Custom resources (and their subresources) take every patch type but strategic merge.</summary>
        private IReadOnlyList<string> PatchTypes(ApiResourceInfo r) =>
            _isCustom(r) || (_parents.TryGetValue(r.Resource, out var parent) && _isCustom(parent)) ? MediaTypes.PatchWithoutStrategic : MediaTypes.Patch;

        private static GroupVersionKind Gvk(ApiResourceInfo r) => new(r.KindGroup, r.KindVersion, r.Kind);

        private string Scope(bool namespaced) => namespaced ? "Namespaced" : "";

        private string NamespacePrefix(bool namespaced) => namespaced ? Prefix + "/namespaces/{namespace}" : Prefix;

        private string WatchPrefix(bool namespaced) => namespaced ? Prefix + "/watch/namespaces/{namespace}" : Prefix + "/watch";

        private OperationSpec Op(string method, string verb, string nameTail, ApiResourceInfo r,
            IReadOnlyList<string> consumes, IReadOnlyList<string> produces,
            IReadOnlyList<ParameterSpec> parameters, IReadOnlyList<ResponseSpec> responses, string action) =>
            new(method, verb + NamePart + nameTail, Tag, consumes, produces, parameters, responses, action, Gvk(r));

        private void AddResourcePaths(ApiResourceInfo r, List<PathSpec> paths)
        {
            var verbs = new HashSet<string>(r.Verbs, StringComparer.Ordinal);
            var ns = r.Namespaced;
            var kind = r.Kind;
            var def = r.Definition;
            var listDef = r.Definition is null ? null : r.Definition + "List";
            var scope = Scope(ns);
            var objectResponses = new[] { Ok(def), Unauthorized };

            var collection = new List<OperationSpec>();
            if (verbs.Contains("list"))
                collection.Add(Op("get", "list", scope + kind, r, MediaTypes.Any, MediaTypes.ListOrWatch,
                    StandardParameters.ListOptions, [Ok(listDef), Unauthorized], "list"));
            if (verbs.Contains("create"))
                collection.Add(Op("post", "create", scope + kind, r, MediaTypes.Any, MediaTypes.Object,
                    Create(def), [Ok(def), new("201", "Created", def), new("202", "Accepted", def), Unauthorized], "post"));
            if (verbs.Contains("deletecollection"))
                collection.Add(Op("delete", "delete", "Collection" + scope + kind, r, MediaTypes.Any, MediaTypes.Object,
                    StandardParameters.DeleteCollection(), [Ok(StatusDefinition), Unauthorized], "deletecollection"));
            AddPath(paths, NamespacePrefix(ns) + "/" + r.Resource, ns ? [StandardParameters.Namespace] : [], collection);

            var item = new List<OperationSpec>();
            if (verbs.Contains("get"))
                item.Add(Op("get", "read", scope + kind, r, MediaTypes.Any, MediaTypes.Object, [StandardParameters.Pretty], objectResponses, "get"));
            if (verbs.Contains("update"))
                item.Add(Op("put", "replace", scope + kind, r, MediaTypes.Any, MediaTypes.Object,
                    Create(def), [Ok(def), new("201", "Created", def), Unauthorized], "put"));
            if (verbs.Contains("patch"))
                item.Add(Op("patch", "patch", scope + kind, r, PatchTypes(r), MediaTypes.Object,
                    StandardParameters.Patch(), [Ok(def), new("201", "Created", def), Unauthorized], "patch"));
            if (verbs.Contains("delete"))
            {
                var deleted = SubresourceConventions.DeleteReturnsDeletedObject(r.Group, r.Resource) ? def : StatusDefinition;
                item.Add(Op("delete", "delete", scope + kind, r, MediaTypes.Any, MediaTypes.Object,
                    StandardParameters.Delete(), [Ok(deleted), new("202", "Accepted", deleted), Unauthorized], "delete"));
            }
            AddPath(paths, NamespacePrefix(ns) + "/" + r.Resource + "/{name}", NameParameters(ns), item);

            if (ns && verbs.Contains("list"))
                AddPath(paths, Prefix + "/" + r.Resource, [], [Op("get", "list", kind + "ForAllNamespaces", r, MediaTypes.Any,
                    MediaTypes.ListOrWatch, StandardParameters.ListOptions, [Ok(listDef), Unauthorized], "list")]);

            if (verbs.Contains("watch"))
            {
                var watchResponses = new[] { Ok(WatchEventDefinition), Unauthorized };
                AddPath(paths, WatchPrefix(ns) + "/" + r.Resource, ns ? [StandardParameters.Namespace] : [],
                    [Op("get", "watch", scope + kind + "List", r, MediaTypes.Any, MediaTypes.ListOrWatch, StandardParameters.ListOptions, watchResponses, "watchlist")]);
                AddPath(paths, WatchPrefix(ns) + "/" + r.Resource + "/{name}", NameParameters(ns),
                    [Op("get", "watch", scope + kind, r, MediaTypes.Any, MediaTypes.ListOrWatch, StandardParameters.ListOptions, watchResponses, "watch")]);
                if (ns)
                    AddPath(paths, Prefix + "/watch/" + r.Resource, [],
                        [Op("get", "watch", kind + "ListForAllNamespaces", r, MediaTypes.Any, MediaTypes.ListOrWatch, StandardParameters.ListOptions, watchResponses, "watchlist")]);
            }
        }

        private void AddSubresourcePaths(ApiResourceInfo r, List<PathSpec> paths)
        {
            var sub = r.Subresource!;
            var parent = _parents.TryGetValue(r.Resource, out var p) ? p : null;
            var ns = parent?.Namespaced ?? r.Namespaced;
            var nameTail = Scope(ns) + (parent?.Kind ?? r.Kind) + OperationNames.Capitalize(sub);
            var basePath = NamespacePrefix(ns) + "/" + r.Resource + "/{name}/" + sub;

            if (SubresourceConventions.IsStreamingGet(sub))
            {
                var options = SubresourceConventions.ConnectOptions(sub);
                AddPath(paths, basePath, NameParameters(ns), [Op("get", "read", nameTail, r, MediaTypes.Any, MediaTypes.Log,
                    options, [new("200", "OK", PrimitiveType: "string"), Unauthorized], "get")]);
                return;
            }
            if (r.Definition is null)
            {
                AddConnectPath(r, paths, basePath, nameTail, ns, withPath: false);
                if (SubresourceConventions.HasPathSuffix(sub))
                    AddConnectPath(r, paths, basePath + "/{path}", nameTail + "WithPath", ns, withPath: true);
                return;
            }

            var verbs = new HashSet<string>(r.Verbs, StringComparer.Ordinal);
            var def = r.Definition;
            var ops = new List<OperationSpec>();
            if (verbs.Contains("get"))
                ops.Add(Op("get", "read", nameTail, r, MediaTypes.Any, MediaTypes.Object, [StandardParameters.Pretty], [Ok(def), Unauthorized], "get"));
            if (verbs.Contains("update"))
                ops.Add(Op("put", "replace", nameTail, r, MediaTypes.Any, MediaTypes.Object, Create(def),
                    [Ok(def), new("201", "Created", def), Unauthorized], "put"));
            if (verbs.Contains("patch"))
                ops.Add(Op("patch", "patch", nameTail, r, PatchTypes(r), MediaTypes.Object, StandardParameters.Patch(),
                    [Ok(def), new("201", "Created", def), Unauthorized], "patch"));
            if (verbs.Contains("create"))
                ops.Add(Op("post", "create", nameTail, r, MediaTypes.Any, MediaTypes.Object, Create(def),
                    [Ok(def), new("201", "Created", def), new("202", "Accepted", def), Unauthorized], "post"));
            AddPath(paths, basePath, NameParameters(ns), ops);
        }

        private void AddConnectPath(ApiResourceInfo r, List<PathSpec> paths, string path, string nameTail, bool ns, bool withPath)
        {
            var options = SubresourceConventions.ConnectOptions(r.Subresource!);
            var parameters = withPath ? options.Append(StandardParameters.PathSegment).ToList() : options;
            var ops = SubresourceConventions.ConnectMethods(r.Subresource!)
                .Select(m => new OperationSpec(m, "connect" + NamePart + OperationNames.Capitalize(m) + nameTail, Tag,
                    MediaTypes.Any, MediaTypes.Any, parameters, [new("200", "OK", PrimitiveType: "string"), Unauthorized], "connect", Gvk(r)))
                .ToList();
            AddPath(paths, path, NameParameters(ns), ops);
        }

        private static IReadOnlyList<ParameterSpec> Create(string? def) =>
            [StandardParameters.Body(def, required: true), StandardParameters.DryRun, StandardParameters.FieldManager,
             StandardParameters.FieldValidation, StandardParameters.Pretty];

        private static IReadOnlyList<ParameterSpec> NameParameters(bool ns) =>
            ns ? [StandardParameters.Name, StandardParameters.Namespace] : [StandardParameters.Name];

        /// <summary>
        /// Adds a path unless it has no operations. Parameters that every operation shares move to
        /// the path (upstream does the same); body parameters always stay with their operation.
        /// </summary>
        private void AddPath(List<PathSpec> paths, string path, IReadOnlyList<ParameterSpec> pathParameters, IReadOnlyList<OperationSpec> ops)
        {
            if (ops.Count == 0) return;
            var shared = ops[0].Parameters
                .Where(p => p.In != ParameterLocation.Body && ops.All(o => o.Parameters.Contains(p)))
                .ToList();
            var hoisted = pathParameters.Concat(shared).Distinct().OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.InText, StringComparer.Ordinal).ToList();
            var trimmed = ops.Select(o => o with
            {
                Parameters = o.Parameters.Where(p => !shared.Contains(p)).OrderBy(p => p.Name, StringComparer.Ordinal).ToList(),
            }).ToList();
            paths.Add(new PathSpec(path, Key, hoisted, trimmed));
        }
    }
}
