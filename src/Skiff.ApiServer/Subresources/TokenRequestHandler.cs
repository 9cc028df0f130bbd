using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.Api.Meta;
using Skiff.Api.Validation;
using Skiff.ApiServer.Authentication;
using Skiff.ApiServer.Errors;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Routing;
using Skiff.ApiServer.Serialization;
using Skiff.Api.Json;

namespace Skiff.ApiServer.Subresources;

/// <summary>
/// POST serviceaccounts/NAME/token (TokenRequest), as upstream's TokenREST: a signed token for
/// the service account, optionally bound to a Pod, Secret or Node that must exist (and match its
/// uid), for the requested audiences (the API's by default) and lifetime (1 h by default, at
/// least 10 min). Nothing is stored.
/// </summary>
public sealed class TokenRequestHandler(ObjectRegistry objects, ResourceRegistry resources, ServiceAccountTokens tokens) : ISubresourceHandler
{
    private const long DefaultExpirationSeconds = 3600;
    private const long MinExpirationSeconds = 600;
    private const long MaxExpirationSeconds = 1L << 32;

    public GroupResource Resource { get; } = new("", "serviceaccounts");
    public string Subresource => "token";

    public async Task HandleAsync(HttpContext ctx, RequestInfo info, ServedResource parent, ApiResourceInfo sub, bool dryRun)
    {
        if (info.Verb != "create") throw StatusException.MethodNotAllowed("the server does not allow this method on the requested resource");
        var ct = ctx.RequestAborted;
        var request = await SubresourceIo.ReadAsync(ctx, sub);
        var spec = request["spec"] as JsonObject ?? new JsonObject();
        var expiration = spec["expirationSeconds"]?.GetValue<long>() ?? DefaultExpirationSeconds;
        var errors = new List<FieldError>();
        if (expiration < MinExpirationSeconds)
            errors.Add(new(FieldErrorType.Invalid, "spec.expirationSeconds", expiration, "may not specify a duration less than 10 minutes"));
        if (expiration > MaxExpirationSeconds)
            errors.Add(new(FieldErrorType.Invalid, "spec.expirationSeconds", expiration, "may not specify a duration larger than 2^32 seconds"));
        if (errors.Count > 0) throw StatusException.Invalid("authentication.k8s.io", "TokenRequest", info.Name, errors);

        var sa = await objects.GetAsync(parent, info.Namespace, info.Name, ct);
        var saUid = Obj.Str(sa["metadata"], "uid") ?? "";
        var audiences = spec["audiences"] is JsonArray { Count: > 0 } a
            ? a.Select(x => x?.GetValue<string>() ?? "").ToList()
            : tokens.ApiAudiences.ToList();
        var claims = new ServiceAccountClaims(info.Namespace, info.Name, saUid, audiences,
            DateTimeOffset.UtcNow.AddSeconds(expiration), Guid.NewGuid().ToString());

        if (spec["boundObjectRef"] is JsonObject bound)
            claims = await BindAsync(claims, bound, info.Namespace, ct);

        var token = tokens.Issue(claims);
        var responseSpec = new JsonObject
        {
            ["audiences"] = new JsonArray(audiences.Select(x => (JsonNode)JsonValue.Create(x)!).ToArray()),
            ["expirationSeconds"] = expiration,
            ["boundObjectRef"] = spec["boundObjectRef"]?.DeepClone(),
        };
        var response = new JsonObject
        {
            ["kind"] = "TokenRequest",
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["metadata"] = new JsonObject { ["name"] = info.Name, ["namespace"] = info.Namespace, ["creationTimestamp"] = Obj.Now() },
            ["spec"] = responseSpec,
            ["status"] = new JsonObject
            {
                ["token"] = token,
                ["expirationTimestamp"] = KubernetesTime.FormatTime(claims.Expires),
            },
        };
        await SubresourceIo.WriteAsync(ctx, 201, response);
    }

    /// <summary>Binds the token to a Pod, Secret or Node, which must exist with the given uid; a pod's node is bound too.</summary>
    private async Task<ServiceAccountClaims> BindAsync(ServiceAccountClaims claims, JsonObject bound, string ns, CancellationToken ct)
    {
        var kind = Obj.Str(bound, "kind") ?? "";
        var name = Obj.Str(bound, "name") ?? "";
        var uid = Obj.Str(bound, "uid");
        var resource = kind switch { "Pod" => "pods", "Secret" => "secrets", "Node" => "nodes", _ => null };
        if (resource is null)
            throw StatusException.Invalid("authentication.k8s.io", "TokenRequest", claims.ServiceAccountName,
                [new(FieldErrorType.NotSupported, "spec.boundObjectRef.kind", kind, "supported values: \"Pod\", \"Secret\", \"Node\"")]);
        var served = resources.Find("", "v1", resource)!;
        var obj = await objects.GetAsync(served, resource == "nodes" ? "" : ns, name, ct);
        var actualUid = Obj.Str(obj["metadata"], "uid") ?? "";
        if (!string.IsNullOrEmpty(uid) && uid != actualUid)
            throw StatusException.Conflict(served.GroupResource, name,
                $"the UID in the bound object reference ({uid}) does not match the UID in record. The object might have been deleted and then recreated");
        switch (kind)
        {
            case "Pod":
                claims = claims with { PodName = name, PodUid = actualUid };
                if (Obj.Str(obj["spec"], "nodeName") is { Length: > 0 } node
                    && await objects.TryGetAsync(resources.Find("", "v1", "nodes")!, "", node, ct) is { } n)
                    claims = claims with { NodeName = node, NodeUid = Obj.Str(n["metadata"], "uid") };
                return claims;
            case "Secret":
                return claims with { SecretName = name, SecretUid = actualUid };
            default:
                return claims with { NodeName = name, NodeUid = actualUid };
        }
    }
}
