using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.Api.Meta;
using Skiff.ApiServer.Errors;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Routing;
using Skiff.ApiServer.Serialization;

namespace Skiff.ApiServer.Subresources;

/// <summary>
/// One subresource with behaviour of its own (upstream's per-subresource REST storage, e.g.
/// serviceaccounts/token, pods/eviction). The generic handler routes a request here when the
/// resource and subresource match. Implementations are stateless or thread-safe.
/// </summary>
public interface ISubresourceHandler
{
    GroupResource Resource { get; }
    string Subresource { get; }

    /// <summary>Answers the request; <paramref name="parent"/> is the served resource the subresource belongs to.</summary>
    Task HandleAsync(HttpContext ctx, RequestInfo info, ServedResource parent, ApiResourceInfo sub, bool dryRun);
}

/// <summary>Reading and answering subresource bodies, whose kinds differ from their parent's.</summary>
public static class SubresourceIo
{
    /// <summary>Reads the request body as <paramref name="sub"/>'s kind (JSON, YAML or protobuf), checking apiVersion and kind when given.</summary>
    public static async Task<JsonObject> ReadAsync(HttpContext ctx, ApiResourceInfo sub)
    {
        var body = await RequestBody.ReadBytesAsync(ctx.Request, ctx.RequestAborted);
        if (body.Length == 0) throw StatusException.BadRequest("the body of the request was empty");
        var obj = RequestBody.ParseObject(body, ctx.Request.ContentType);
        var expected = new GroupVersion(sub.KindGroup, sub.KindVersion).ApiVersion;
        if (Obj.Str(obj, "kind") is { Length: > 0 } kind && kind != sub.Kind)
            throw StatusException.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({sub.Kind})");
        if (Obj.Str(obj, "apiVersion") is { Length: > 0 } av && av != expected && !(sub.Kind == "Eviction" && av == "policy/v1beta1"))
            throw StatusException.BadRequest($"the API version in the data ({av}) does not match the expected API version ({expected})");
        return obj;
    }

    public static async Task WriteAsync(HttpContext ctx, int status, JsonObject body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(ctx.Response.BodyWriter, Obj.Writer);
        body.WriteTo(w);
        await w.FlushAsync(ctx.RequestAborted);
    }

    /// <summary>A Success Status (what upstream answers for an eviction, for example).</summary>
    public static Task WriteSuccessAsync(HttpContext ctx, int code) =>
        WriteAsync(ctx, code, new JsonObject
        {
            ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success", ["code"] = code,
        });
}
