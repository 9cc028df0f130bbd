using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Skiff.Api.Meta;
using Skiff.Api.Schema;
using Skiff.Api.Validation;
using Skiff.ApiServer.Discovery;
using Skiff.ApiServer.Handlers;
using Skiff.ApiServer.OpenApi;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Serialization;
using Skiff.ApiServer.Tables;
using Skiff.Storage;

namespace Skiff.ApiServer;

/// <summary>Wires the API server's parts over a store: the one place that knows every concrete type.</summary>
public static class ApiServerComposition
{
    public static ApiServerComponents Build(IStore store, ApiServerOptions options, ILoggerFactory loggers)
    {
        if (!DefaultApiVersions.TryParseRuntimeConfig(options.RuntimeConfig, out var enablement, out var error))
            throw new ArgumentException($"--runtime-config: {error}");
        var catalog = BuiltinResources.All.Where(r => enablement.IsResourceEnabled(new GroupVersionResource(r.Group, r.Version, r.Resource)));
        var resources = new ResourceRegistry(catalog, enablement.IsServed, DefaultApiVersions.OrderGroups(BuiltinResources.All.Select(r => r.Group).Distinct()));
        var allocator = new Registry.Services.ServiceAllocator(options.ServiceCidr, options.NodePortRange.Min, options.NodePortRange.Max);
        var objects = new ObjectRegistry(store, resources, Validate, allocator);
        var tables = new TableWriterAdapter();
        var watches = new WatchHandler(objects, tables);
        var authorizer = new Authorization.AllowAuthenticatedAuthorizer();
        var tokens = new Authentication.ServiceAccountTokens(
            options.ServiceAccountKeyFile is { } keyFile ? Authentication.ServiceAccountTokens.LoadOrCreateKey(keyFile) : System.Security.Cryptography.RSA.Create(2048),
            options.ServiceAccountIssuer);
        var tokenAuthenticator = new Authentication.ServiceAccountTokenAuthenticator(tokens, async (resource, ns, name, ct) =>
            resources.Find("", "v1", resource) is { } r ? await objects.TryGetAsync(r, ns, name, ct) : null);
        var handler = new ResourceHandler(objects, watches, tables, StrategicPatch, authorizer)
        {
            Extra = [new Subresources.TokenRequestHandler(objects, resources, tokens), new Subresources.EvictionHandler(objects, resources),
                .. KubeletSubresources(options, objects, resources)],
            TokenReviewer = tokenAuthenticator,
        };
        var discovery = new DiscoveryDocuments(resources, new RegistryNaming(resources));
        var openApi = new OpenApiService(OpenApiDefinitions.Utf8Json, new DocumentInfo());
        PublishOpenApi(openApi, resources);
        // CRDs come and go: the documents follow the served set.
        resources.Changed += () => PublishOpenApi(openApi, resources);
        return new ApiServerComponents(resources, objects, handler, watches, discovery, new OpenApiEndpoints(openApi), authorizer, tokenAuthenticator);
    }

    /// <summary>Tells the OpenAPI service what is served now, with the schemas of the custom resources.</summary>
    private static void PublishOpenApi(OpenApiService openApi, ResourceRegistry resources)
    {
        var served = resources.All.ToList();
        var extras = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        foreach (var r in served)
            if (r.Custom is { } custom)
                foreach (var (name, schema) in custom.OpenApiDefinitions()) extras[name] = schema;
        openApi.Update(served.SelectMany(r => new[] { r.Info }.Concat(r.Subresources.Values)), extras);
    }

    /// <summary>
    /// The subresources that reach kubelets and pods (log, exec, attach, portforward, proxy). Without a
    /// kubelet client certificate they are not served (501), as a control plane with no nodes needs none.
    /// </summary>
    private static IEnumerable<Subresources.ISubresourceHandler> KubeletSubresources(ApiServerOptions options, ObjectRegistry objects, ResourceRegistry resources)
    {
        if (options.KubeletClient is not { } client) yield break;
        var kubelets = new Kubelet.KubeletLocator(objects, resources);
        var proxy = new Kubelet.StreamProxy(new Kubelet.KubeletTransport(client));
        yield return new Subresources.PodLogHandler(objects, kubelets, proxy);
        foreach (var sub in new[] { "exec", "attach", "portforward" })
            yield return new Subresources.PodStreamHandler(sub, objects, kubelets, proxy);
        foreach (var resource in new[] { "nodes", "pods", "services" })
            yield return new Subresources.ProxyHandler(new GroupResource("", resource), objects, resources, kubelets, proxy);
    }

    /// <summary>Strategic merge patch, driven by the kind's schema (merge keys and strategies).</summary>
    private static JsonNode? StrategicPatch(ServedResource r, JsonObject original, JsonNode patch) =>
        Skiff.Api.Patch.StrategicMergePatch.Apply(original, patch, r.Info.Definition is { } d ? SchemaExtensions.Find(d) : null);

    /// <summary>Metadata validation with each kind's name rule, then the kind's own field rules (built-ins) or its schema (custom resources).</summary>
    private static IReadOnlyList<FieldError> Validate(ServedResource r, JsonObject obj)
    {
        if (r.Custom is { } custom) return custom.Validate(obj, r.Namespaced);
        if (r.GroupResource == CrdsResource) return Skiff.ApiServer.CustomResources.CrdValidation.Validate(obj);
        var errors = ObjectMetaValidator.Validate(obj["metadata"] as JsonObject, ResourceNameRules.For(r.GroupResource), r.Namespaced);
        errors.AddRange(Skiff.Api.Validation.Kinds.KindValidator.Validate(r.Group, r.Kind, obj));
        return errors;
    }

    private static readonly GroupResource CrdsResource = new("apiextensions.k8s.io", "customresourcedefinitions");

    /// <summary>Discovery names: a custom resource's from its CRD's accepted names, a built-in's from the facts tables.</summary>
    private sealed class RegistryNaming(ResourceRegistry resources) : IResourceNaming
    {
        private static readonly BuiltinNaming Builtin = new();
        private Skiff.ApiServer.CustomResources.CrdNames? Custom(GroupResource gr) => resources.Preferred(gr)?.Custom?.Names;
        public IReadOnlyList<string> ShortNames(GroupResource gr) => Custom(gr)?.ShortNames ?? Builtin.ShortNames(gr);
        public IReadOnlyList<string> Categories(GroupResource gr) => Custom(gr)?.Categories ?? Builtin.Categories(gr);
        public string Singular(GroupResource gr, string kind) => Custom(gr)?.Singular ?? Builtin.Singular(gr, kind);
    }

    private sealed class BuiltinNaming : IResourceNaming
    {
        public IReadOnlyList<string> ShortNames(GroupResource gr) => ResourceNames.ShortNames(gr);
        public IReadOnlyList<string> Categories(GroupResource gr) => ResourceNames.Categories(gr);
        public string Singular(GroupResource gr, string kind) => ResourceNames.Singular(gr, kind);
    }

    private sealed class TableWriterAdapter : ITableWriter
    {
        public void Write(Utf8JsonWriter w, ServedResource r, IReadOnlyList<JsonObject> items, string resourceVersion,
            string? continueToken, long? remainingItemCount, string includeObject, bool includeColumns)
        {
            TableWriteOptions.TryParseIncludeObject(includeObject, out var policy);
            TableJsonWriter.WriteTable(w, r.Custom?.Table ?? TableConvertors.For(r.GroupResource), items,
                new TableListMetadata(resourceVersion, continueToken, remainingItemCount), DateTimeOffset.UtcNow,
                new TableWriteOptions(policy, NoHeaders: !includeColumns));
        }
    }
}

/// <summary>/openapi/v2 and /openapi/v3 over the <see cref="OpenApiService"/>, negotiated and
/// cached as kube-openapi's handlers do (ETag, 304, gzip, immutable hashed v3 URLs).</summary>
internal sealed class OpenApiEndpoints(OpenApiService service) : IOpenApiEndpoints
{
    public async Task<bool> TryServeAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value!.TrimEnd('/');
        var accept = ctx.Request.Headers.Accept.ToString();
        OpenApiDocument doc;
        var cacheControl = "no-cache, private";
        if (path == "/openapi/v2")
        {
            if (!OpenApiNegotiation.TryChooseV2(accept, out var protobuf))
                throw Errors.StatusException.NotAcceptable("only the following media types are accepted: application/json, application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
            doc = service.GetV2(protobuf);
        }
        else if (path == "/openapi/v3") doc = service.GetV3Index();
        else if (path.StartsWith("/openapi/v3/", StringComparison.Ordinal))
        {
            var key = path["/openapi/v3/".Length..];
            if (!service.TryGetV3(key, out doc)) return false;
            if (!OpenApiNegotiation.AcceptsV3Json(accept))
                throw Errors.StatusException.NotAcceptable("only the following media types are accepted: application/json");
            var hash = ctx.Request.Query["hash"].FirstOrDefault();
            if (OpenApiNegotiation.StaleHashRedirect(key, hash, doc) is { } redirect)
            {
                ctx.Response.StatusCode = 301;
                ctx.Response.Headers.Location = redirect;
                return true;
            }
            if (hash is not null)
            {
                cacheControl = "public, immutable, max-age=31536000";
                ctx.Response.Headers.Expires = DateTime.UtcNow.AddYears(1).ToString("R");
            }
        }
        else return false;

        ctx.Response.Headers.ETag = doc.ETag;
        ctx.Response.Headers.Vary = "Accept";
        ctx.Response.Headers.CacheControl = cacheControl;
        if (doc.MatchesIfNoneMatch(ctx.Request.Headers.IfNoneMatch.ToString()))
        {
            ctx.Response.StatusCode = 304;
            return true;
        }
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = doc.ContentType;
        if (ctx.Request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase))
        {
            ctx.Response.Headers.ContentEncoding = "gzip";
            await ctx.Response.Body.WriteAsync(doc.GzipBody, ctx.RequestAborted);
        }
        else await ctx.Response.Body.WriteAsync(doc.Body, ctx.RequestAborted);
        return true;
    }
}
