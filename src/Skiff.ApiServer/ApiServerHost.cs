using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Skiff.Api.Meta;
using Skiff.ApiServer.Authentication;
using Skiff.ApiServer.Discovery;
using Skiff.ApiServer.Errors;
using Skiff.ApiServer.Handlers;
using Skiff.ApiServer.Pki;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Routing;

namespace Skiff.ApiServer;

/// <summary>
/// The API server role: Kestrel on HTTPS (HTTP/1.1 and HTTP/2) with client-certificate
/// authentication, the request pipeline (authenticate → authorize → route → handler) and the
/// bootstrap objects. Start with <see cref="StartAsync"/>, stop by disposing.
/// </summary>
public sealed class ApiServerHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ApiServerHost(WebApplication app, ApiServerComponents components)
    {
        _app = app;
        Components = components;
    }

    public ApiServerComponents Components { get; }

    /// <summary>The port actually bound (differs from the option when it was 0).</summary>
    public int Port => new Uri(_app.Urls.First()).Port;

    public static async Task<ApiServerHost> StartAsync(ApiServerOptions options, ApiServerComponents components, ClusterPki pki,
        ILoggerFactory loggerFactory, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "skiff", ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        // The server command owns SIGTERM/SIGINT and stops every role in order; the web host must not swallow them.
        builder.Services.AddSingleton<IHostLifetime, CallerOwnedLifetime>();
        var authenticator = new ClientCertificateAuthenticator(pki);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = null; // the handlers enforce upstream's 3 MiB with a Status body
            k.Limits.Http2.MaxStreamsPerConnection = 1000;
            k.Limits.KeepAliveTimeout = TimeSpan.FromMinutes(10);
            k.Limits.MinResponseDataRate = null;
            k.Listen(options.BindAddress, options.Port, lo => lo.UseApiServerTls(pki, authenticator));
        });
        var app = builder.Build();
        var join = options.JoinToken is { } token ? new Join.NodeJoinHandler(pki, token, components.Objects, loggerFactory.CreateLogger("join")) : null;
        var pipeline = new RequestPipeline(components, authenticator, options, join, loggerFactory.CreateLogger("apiserver"));
        app.Run(pipeline.HandleAsync);
        await app.StartAsync(ct);
        return new ApiServerHost(app, components);
    }

    public async ValueTask DisposeAsync()
    {
        Components.Watches.StopAll();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try { await _app.StopAsync(cts.Token); } catch (OperationCanceledException) { }
        await _app.DisposeAsync();
    }
}

/// <summary>A host lifetime that leaves process signals to the caller.</summary>
internal sealed class CallerOwnedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>The parts the pipeline routes to, composed once by the server command.</summary>
public sealed record ApiServerComponents(
    ResourceRegistry Resources,
    ObjectRegistry Objects,
    ResourceHandler Handler,
    WatchHandler Watches,
    DiscoveryDocuments Discovery,
    IOpenApiEndpoints? OpenApi,
    Authorization.IAuthorizer Authorizer,
    ServiceAccountTokenAuthenticator? Tokens = null);

/// <summary>Serves /openapi/v2 and /openapi/v3 (implemented over the OpenAPI service).</summary>
public interface IOpenApiEndpoints
{
    Task<bool> TryServeAsync(HttpContext ctx);
}

/// <summary>The request pipeline: one instance for the server's lifetime, safe for concurrent requests.</summary>
internal sealed class RequestPipeline(ApiServerComponents c, ClientCertificateAuthenticator authenticator, ApiServerOptions options,
    Join.NodeJoinHandler? join, ILogger log)
{
    // Upstream's max-in-flight filter: past these many concurrent requests the server answers 429
    // at once instead of queueing without bound. Watches are long-running and not counted.
    private readonly SemaphoreSlim _readSlots = new(options.MaxRequestsInflight);
    private readonly SemaphoreSlim _writeSlots = new(options.MaxMutatingRequestsInflight);

    private static readonly HashSet<string> AnonymousPaths = ["/healthz", "/livez", "/readyz", "/version", "/version/"];

    public async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "/";
        try
        {
            var auth = authenticator.Authenticate(ctx);
            // Upstream's union authenticator: a request without a client certificate may carry a bearer token.
            if (!auth.IsAuthenticated && !auth.IsFailure && c.Tokens is not null)
                auth = await c.Tokens.AuthenticateAsync(ctx);
            var user = auth.UserOrAnonymous;
            if (IsHealth(path))
            {
                await WriteTextAsync(ctx, "ok");
                return;
            }
            if (path is "/version" or "/version/")
            {
                await WriteJsonAsync(ctx, VersionInfo.Json, "application/json");
                return;
            }
            // Joining agents have no identity yet: /cacerts is public and /v1-skiff/ checks the join token itself.
            if (join is not null && Join.NodeJoinHandler.Handles(path))
            {
                await join.HandleAsync(ctx, path);
                return;
            }
            if (user is null || user.IsAnonymous)
                throw StatusException.Unauthorized();
            ctx.Items[ResourceHandler.UserKey] = user;
            var longRunning = ctx.Request.Query["watch"] is var wq && (wq == "true" || wq == "1") || path.Contains("/watch/", StringComparison.Ordinal)
                || IsStreamingSubresource(path);
            if (longRunning)
            {
                await RouteAsync(ctx, path, user);
                return;
            }
            var slots = HttpMethods.IsGet(ctx.Request.Method) || HttpMethods.IsHead(ctx.Request.Method) ? _readSlots : _writeSlots;
            if (!slots.Wait(0))
                throw new StatusException(429, "TooManyRequests", "Too many requests, please try again later.") { RetryAfterSeconds = 1 };
            try { await RouteAsync(ctx, path, user); }
            finally { slots.Release(); }
        }
        catch (StatusException e)
        {
            await WriteStatusAsync(ctx, e);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested) { }
        catch (Exception e) when (e is Microsoft.AspNetCore.Http.BadHttpRequestException or IOException && ctx.RequestAborted.IsCancellationRequested) { }
        catch (Exception e)
        {
            log.LogError(e, "request {Method} {Path} failed", ctx.Request.Method, path);
            await WriteStatusAsync(ctx, StatusException.Internal(e.Message));
        }
    }

    /// <summary>Upstream's long-running subresources: sessions that may last hours must not hold an in-flight slot.</summary>
    private static bool IsStreamingSubresource(string path) =>
        path.EndsWith("/exec", StringComparison.Ordinal) || path.EndsWith("/attach", StringComparison.Ordinal)
        || path.EndsWith("/portforward", StringComparison.Ordinal) || path.EndsWith("/log", StringComparison.Ordinal)
        || path.Contains("/proxy", StringComparison.Ordinal);

    private static bool IsHealth(string path) =>
        path is "/healthz" or "/livez" or "/readyz" || path.StartsWith("/healthz/", StringComparison.Ordinal)
        || path.StartsWith("/livez/", StringComparison.Ordinal) || path.StartsWith("/readyz/", StringComparison.Ordinal);

    private async Task RouteAsync(HttpContext ctx, string path, UserInfo user)
    {
        if (path.StartsWith("/openapi/", StringComparison.Ordinal))
        {
            if (c.OpenApi is not null && await c.OpenApi.TryServeAsync(ctx)) return;
            throw StatusException.PageNotFound();
        }
        var accept = ctx.Request.Headers.Accept.ToString();
        var aggregated = accept.Contains("as=APIGroupDiscoveryList", StringComparison.Ordinal) && accept.Contains("v=v2", StringComparison.Ordinal);
        switch (path.TrimEnd('/'))
        {
            case "" :
                await WriteJsonAsync(ctx, RootPaths(), "application/json");
                return;
            case "/api":
                if (aggregated) await WriteJsonAsync(ctx, c.Discovery.Aggregated(core: true), DiscoveryDocuments.AggregatedContentType);
                else await WriteJsonAsync(ctx, c.Discovery.CoreVersions($"{options.AdvertiseAddress}:{options.Port}"), "application/json");
                return;
            case "/apis":
                if (aggregated) await WriteJsonAsync(ctx, c.Discovery.Aggregated(core: false), DiscoveryDocuments.AggregatedContentType);
                else await WriteJsonAsync(ctx, c.Discovery.GroupList(), "application/json");
                return;
        }
        var info = RequestInfo.Parse(ctx.Request.Method, path, ctx.Request.Query["watch"] is var w && (w == "true" || w == "1"));
        if (info.ApiPrefix.Length > 0 && !info.IsResourceRequest)
        {
            var doc = info.Version.Length == 0
                ? c.Discovery.Group(info.Group)
                : c.Discovery.ResourceList(new GroupVersion(info.Group, info.Version));
            if (doc is null || (info.ApiPrefix == "api" && info.Group.Length > 0)) throw StatusException.PageNotFound();
            await WriteJsonAsync(ctx, doc, "application/json");
            return;
        }
        if (!info.IsResourceRequest) throw StatusException.PageNotFound();
        var r = c.Resources.Find(info.Group, info.Version, info.Resource) ?? throw StatusException.PageNotFound();
        var (decision, _) = c.Authorizer.Authorize(new Authorization.AuthorizationAttributes(user, info.Verb, true, info.Group, info.Version,
            info.Resource, info.Subresource, info.Namespace, info.Name, path));
        if (decision != Authorization.Decision.Allow)
            throw Forbidden(user, info);
        await c.Handler.HandleAsync(ctx, info, r);
    }

    /// <summary>Upstream's wording: User "u" cannot list resource "pods" in API group "" in the namespace "ns".</summary>
    private static StatusException Forbidden(UserInfo user, RequestInfo info)
    {
        var resource = info.Subresource.Length > 0 ? $"{info.Resource}/{info.Subresource}" : info.Resource;
        var gr = info.Group.Length == 0 ? info.Resource : $"{info.Resource}.{info.Group}";
        var where = info.Namespace.Length > 0 ? $" in the namespace \"{info.Namespace}\"" : info.Namespace.Length == 0 && info.Name.Length == 0 ? " at the cluster scope" : "";
        var subject = info.Name.Length > 0 ? $"{gr} \"{info.Name}\"" : gr;
        return new StatusException(403, "Forbidden", $"{subject} is forbidden: User \"{user.Name}\" cannot {info.Verb} resource \"{resource}\" in API group \"{info.Group}\"{where}")
        { Name = info.Name.Length > 0 ? info.Name : null, Group = info.Group, Kind = info.Resource };
    }

    private byte[] RootPaths()
    {
        var paths = new List<string> { "/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v2", "/openapi/v3", "/readyz", "/version" };
        foreach (var gv in c.Resources.GroupVersions.Where(g => g.Group.Length > 0))
        {
            paths.Add($"/apis/{gv.Group}");
            paths.Add($"/apis/{gv.Group}/{gv.Version}");
        }
        paths.Sort(StringComparer.Ordinal);
        return System.Text.Encoding.UTF8.GetBytes(new System.Text.Json.Nodes.JsonObject { ["paths"] = new System.Text.Json.Nodes.JsonArray([.. paths.Distinct().Select(p => (System.Text.Json.Nodes.JsonNode)System.Text.Json.Nodes.JsonValue.Create(p))]) }.ToJsonString());
    }

    private static async Task WriteTextAsync(HttpContext ctx, string text)
    {
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        await ctx.Response.WriteAsync(text, ctx.RequestAborted);
    }

    private static async Task WriteJsonAsync(HttpContext ctx, byte[] body, string contentType)
    {
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = contentType;
        ctx.Response.Headers.Vary = "Accept";
        await ctx.Response.Body.WriteAsync(body, ctx.RequestAborted);
    }

    public static async Task WriteStatusAsync(HttpContext ctx, StatusException e)
    {
        if (ctx.Response.HasStarted) return;
        ctx.Response.Clear();
        ctx.Response.StatusCode = e.Code;
        ctx.Response.ContentType = "application/json";
        if (e.RetryAfterSeconds is { } r) ctx.Response.Headers.RetryAfter = r.ToString();
        var buf = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buf, Serialization.Obj.Writer)) e.WriteTo(w);
        try { await ctx.Response.Body.WriteAsync(buf.WrittenMemory, ctx.RequestAborted); }
        catch (Exception ex) when (ex is IOException or OperationCanceledException) { }
    }
}
