using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Skiff.Api.Join;
using Skiff.ApiServer.Errors;
using Skiff.ApiServer.Pki;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Join;

/// <summary>
/// The server's half of <c>skiff agent --token</c> (k3s's supervisor endpoints, in Skiff's own shape):
/// <c>GET /cacerts</c> answers the server CA bundle to anyone (the agent checks it against the token's hash);
/// <c>POST /v1-skiff/node</c>, authenticated by the token's password as HTTP basic credentials, binds the node
/// name to the agent's node password (a Secret <c>kube-system/&lt;node&gt;.node-password.skiff</c> holding its
/// SHA-256) and answers the node's client and kubelet serving certificates. Stateless apart from those Secrets;
/// safe for concurrent requests.
/// </summary>
public sealed class NodeJoinHandler(ClusterPki pki, JoinToken token, ObjectRegistry objects, ILogger log)
{
    private const int MaxBodyBytes = 64 * 1024;
    private static readonly string[] AcceptedUsers = [JoinToken.DefaultUser, JoinTokenStore.ServerUser];

    public static bool Handles(string path) => path == NodeJoinPaths.CaCerts || path.StartsWith(NodeJoinPaths.Prefix, StringComparison.Ordinal);

    public async Task HandleAsync(HttpContext ctx, string path)
    {
        if (path == NodeJoinPaths.CaCerts)
        {
            if (!HttpMethods.IsGet(ctx.Request.Method)) throw StatusException.MethodNotAllowed($"{ctx.Request.Method} is not allowed on {path}");
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "application/x-pem-file";
            await ctx.Response.WriteAsync(pki.ServerCa.CertificatePem, ctx.RequestAborted);
            return;
        }
        if (path != NodeJoinPaths.Node) throw StatusException.PageNotFound();
        if (!HttpMethods.IsPost(ctx.Request.Method)) throw StatusException.MethodNotAllowed($"{ctx.Request.Method} is not allowed on {path}");
        if (!Authenticated(ctx.Request.Headers.Authorization.ToString())) throw StatusException.Unauthorized();

        var request = await ReadRequestAsync(ctx);
        await NodePasswords.BindAsync(objects, request.NodeName, request.NodePassword, log, ctx.RequestAborted);
        var addresses = request.NodeIps.Select(IPAddress.Parse).ToList();
        var (client, serving) = pki.IssueNodeCredentials(request.NodeName, addresses);
        var answer = new NodeJoinResponse(pki.ServerCa.CertificatePem, pki.ClientCa.CertificatePem,
            client.CertificatePem, client.KeyPem, serving.CertificatePem, serving.KeyPem);
        log.LogInformation("Node {Node} joined from {Remote} ({Addresses})", request.NodeName, ctx.Connection.RemoteIpAddress, string.Join(",", request.NodeIps));
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(answer.ToJson().ToJsonString(), ctx.RequestAborted);
    }

    /// <summary>Basic credentials whose password is the token's; the user is "node" (agents) or "server".</summary>
    private bool Authenticated(string header)
    {
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return false;
        string decoded;
        try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim())); }
        catch (FormatException) { return false; }
        var colon = decoded.IndexOf(':');
        if (colon <= 0) return false;
        return AcceptedUsers.Contains(decoded[..colon]) && token.PasswordEquals(decoded[(colon + 1)..]);
    }

    private static async Task<NodeJoinRequest> ReadRequestAsync(HttpContext ctx)
    {
        var body = await Serialization.RequestBody.ReadBytesAsync(ctx.Request, ctx.RequestAborted, MaxBodyBytes);
        NodeJoinRequest request;
        try { request = NodeJoinRequest.FromJson(JsonNode.Parse(body)); }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            throw StatusException.BadRequest($"invalid join request: {e.Message}");
        }
        var problems = new List<StatusCause>();
        if (request.NodeName.Length > 253 - NodePasswords.Suffix.Length || Skiff.Api.Validation.NameFormats.IsDns1123Subdomain(request.NodeName).Count > 0)
            problems.Add(new StatusCause("FieldValueInvalid", $"Invalid value: \"{request.NodeName}\": a node name must be a lower-case DNS subdomain of at most {253 - NodePasswords.Suffix.Length} characters", "nodeName"));
        if (request.NodeIps.Count > 8) problems.Add(new StatusCause("FieldValueTooLong", "Too many: at most 8 addresses", "nodeIPs"));
        foreach (var ip in request.NodeIps)
            if (!IPAddress.TryParse(ip, out _)) problems.Add(new StatusCause("FieldValueInvalid", $"Invalid value: \"{ip}\": must be an IP address", "nodeIPs"));
        if (request.NodePassword.Length > 256) problems.Add(new StatusCause("FieldValueTooLong", "Too long: at most 256 characters", "nodePassword"));
        if (problems.Count > 0)
            throw new StatusException(400, "BadRequest", "invalid join request: " + string.Join("; ", problems.Select(p => $"{p.Field}: {p.Message}"))) { Causes = problems };
        return request;
    }
}
