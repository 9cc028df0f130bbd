using System.Net;
using System.Security.Cryptography;
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
    public const string NodePasswordSuffix = ".node-password.skiff";
    public const string NodePasswordType = "skiff.io/node-password";
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
        await BindNodePasswordAsync(request, ctx.RequestAborted);
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
        if (request.NodeName.Length > 253 - NodePasswordSuffix.Length || Skiff.Api.Validation.NameFormats.IsDns1123Subdomain(request.NodeName).Count > 0)
            problems.Add(new StatusCause("FieldValueInvalid", $"Invalid value: \"{request.NodeName}\": a node name must be a lower-case DNS subdomain of at most {253 - NodePasswordSuffix.Length} characters", "nodeName"));
        if (request.NodeIps.Count > 8) problems.Add(new StatusCause("FieldValueTooLong", "Too many: at most 8 addresses", "nodeIPs"));
        foreach (var ip in request.NodeIps)
            if (!IPAddress.TryParse(ip, out _)) problems.Add(new StatusCause("FieldValueInvalid", $"Invalid value: \"{ip}\": must be an IP address", "nodeIPs"));
        if (request.NodePassword.Length > 256) problems.Add(new StatusCause("FieldValueTooLong", "Too long: at most 256 characters", "nodePassword"));
        if (problems.Count > 0)
            throw new StatusException(400, "BadRequest", "invalid join request: " + string.Join("; ", problems.Select(p => $"{p.Field}: {p.Message}"))) { Causes = problems };
        return request;
    }

    /// <summary>The hash a node-password Secret holds; empty (matching nothing) when someone edited it into another shape.</summary>
    private static string StoredHash(JsonObject secret)
    {
        if (secret["data"]?["hash"] is not JsonValue v || !v.TryGetValue<string>(out var b64)) return "";
        try { return Encoding.UTF8.GetString(Convert.FromBase64String(b64)); }
        catch (FormatException) { return ""; }
    }

    /// <summary>
    /// The first agent to join under a name binds it to its node password; later joins must present the same one.
    /// Two first joins racing for a name: one create wins, the other re-reads and is judged against the winner.
    /// </summary>
    private async Task BindNodePasswordAsync(NodeJoinRequest request, CancellationToken ct)
    {
        var secrets = objects.Resources.Find("", "v1", "secrets")!;
        var name = request.NodeName + NodePasswordSuffix;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(request.NodePassword)));
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var existing = await objects.TryGetAsync(secrets, "kube-system", name, ct);
            if (existing is not null)
            {
                var stored = StoredHash(existing);
                if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(stored), Encoding.UTF8.GetBytes(hash))) return;
                log.LogWarning("Refused a join as node {Node}: its node password does not match the one it first joined with", request.NodeName);
                throw new StatusException(403, "Forbidden",
                    $"node \"{request.NodeName}\" is already joined with another node password: another machine has this name, or the agent's node-password file was replaced " +
                    $"(delete Secret kube-system/{name} to let a new machine take the name)");
            }
            var secret = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Secret",
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "kube-system" },
                ["type"] = NodePasswordType,
                ["immutable"] = true,
                ["data"] = new JsonObject { ["hash"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(hash)) },
            };
            try
            {
                await objects.CreateAsync(secrets, "kube-system", secret, dryRun: false, ct);
                return;
            }
            catch (StatusException e) when (e.Code == 409) { }
        }
        throw StatusException.Conflict(secrets.GroupResource, name, "the node password changed while it was being checked; try again");
    }
}
