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
        var objects = new ObjectRegistry(store, resources, Validate);
        var tables = new TableWriterAdapter();
        var watches = new WatchHandler(objects, tables);
        var handler = new ResourceHandler(objects, watches, tables, null);
        var discovery = new DiscoveryDocuments(resources, new BuiltinNaming());
        var openApi = new OpenApiService(OpenApiDefinitions.Utf8Json, new DocumentInfo());
        openApi.Update(resources.All.SelectMany(r => new[] { r.Info }.Concat(r.Subresources.Values)));
        return new ApiServerComponents(resources, objects, handler, discovery, new OpenApiEndpoints(openApi));
    }

    /// <summary>Metadata validation with each kind's name rule (the kind-specific rules come with their strategies).</summary>
    private static IReadOnlyList<FieldError> Validate(ServedResource r, JsonObject obj) =>
        ObjectMetaValidator.Validate(obj["metadata"] as JsonObject, ResourceNameRules.For(r.GroupResource), r.Namespaced);

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
            TableJsonWriter.WriteTable(w, TableConvertors.For(r.GroupResource), items,
                new TableListMetadata(resourceVersion, continueToken, remainingItemCount), DateTimeOffset.UtcNow,
                new TableWriteOptions(policy, NoHeaders: !includeColumns));
        }
    }
}

/// <summary>/openapi/v2 and /openapi/v3 over the <see cref="OpenApiService"/>, with ETags and
/// immutable caching for hashed v3 URLs as upstream.</summary>
internal sealed class OpenApiEndpoints(OpenApiService service) : IOpenApiEndpoints
{
    public async Task<bool> TryServeAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value!.TrimEnd('/');
        OpenApiDocument doc;
        var immutable = false;
        if (path == "/openapi/v2")
        {
            var accept = ctx.Request.Headers.Accept.ToString();
            var protobuf = accept.Contains("protobuf", StringComparison.OrdinalIgnoreCase) && !accept.Contains("application/json", StringComparison.OrdinalIgnoreCase);
            doc = service.GetV2(protobuf);
        }
        else if (path == "/openapi/v3") doc = service.GetV3Index();
        else if (path.StartsWith("/openapi/v3/", StringComparison.Ordinal))
        {
            if (!service.TryGetV3(path["/openapi/v3/".Length..], out doc)) return false;
            immutable = ctx.Request.Query["hash"] == doc.Hash;
        }
        else return false;

        ctx.Response.Headers.ETag = doc.ETag;
        ctx.Response.Headers.Vary = "Accept";
        ctx.Response.Headers.CacheControl = immutable ? "public, immutable, max-age=31536000" : "no-cache, private";
        if (ctx.Request.Headers.IfNoneMatch == doc.ETag)
        {
            ctx.Response.StatusCode = 304;
            return true;
        }
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = doc.ContentType;
        await ctx.Response.Body.WriteAsync(doc.Body, ctx.RequestAborted);
        return true;
    }
}
