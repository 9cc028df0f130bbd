using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Skiff.ApiServer.Authentication;

/// <summary>Reads one stored object by resource, namespace and name (null when absent).</summary>
public delegate Task<JsonObject?> ObjectLookup(string resource, string ns, string name, CancellationToken ct);

/// <summary>
/// Authenticates <c>Authorization: Bearer</c> service account tokens, as upstream's token
/// authenticator with lookup on: the token must verify, and the service account and the object
/// the token is bound to must still exist with the UIDs it names (deleting either revokes it).
/// Requests without a bearer token get <see cref="AuthenticationResult.NoCredentials"/>.
/// Thread-safe.
/// </summary>
public sealed class ServiceAccountTokenAuthenticator(ServiceAccountTokens tokens, ObjectLookup lookup)
{
    public Task<AuthenticationResult> AuthenticateAsync(HttpContext ctx)
    {
        var header = ctx.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return Task.FromResult(AuthenticationResult.NoCredentials);
        var token = header["Bearer ".Length..].Trim();
        if (token.Length == 0) return Task.FromResult(AuthenticationResult.NoCredentials);
        return AuthenticateTokenAsync(token, null, ctx.RequestAborted);
    }

    /// <summary>
    /// Authenticates one token (a request's bearer token, or a TokenReview's). With
    /// <paramref name="audiences"/> the token must be for one of them instead of the API's audiences.
    /// </summary>
    public async Task<AuthenticationResult> AuthenticateTokenAsync(string token, IReadOnlyList<string>? audiences, CancellationToken ct)
    {
        var claims = tokens.Verify(token, out var failure, audiences);
        if (claims is null) return AuthenticationResult.Fail(failure ?? "invalid bearer token");

        if (!await Matches("serviceaccounts", claims.Namespace, claims.ServiceAccountName, claims.ServiceAccountUid, ct))
            return AuthenticationResult.Fail($"service account {claims.Namespace}/{claims.ServiceAccountName} has been deleted or recreated");
        if (claims.PodName is not null && !await Matches("pods", claims.Namespace, claims.PodName, claims.PodUid, ct))
            return AuthenticationResult.Fail($"pod {claims.Namespace}/{claims.PodName} the token is bound to no longer exists");
        if (claims.SecretName is not null && !await Matches("secrets", claims.Namespace, claims.SecretName, claims.SecretUid, ct))
            return AuthenticationResult.Fail($"secret {claims.Namespace}/{claims.SecretName} the token is bound to no longer exists");
        if (claims.NodeName is not null && claims.PodName is null && !await Matches("nodes", "", claims.NodeName, claims.NodeUid, ct))
            return AuthenticationResult.Fail($"node {claims.NodeName} the token is bound to no longer exists");

        var extra = new Dictionary<string, IReadOnlyList<string>>
        {
            ["authentication.kubernetes.io/credential-id"] = [$"JTI={claims.TokenId}"],
        };
        if (claims.PodName is not null)
        {
            extra["authentication.kubernetes.io/pod-name"] = [claims.PodName];
            extra["authentication.kubernetes.io/pod-uid"] = [claims.PodUid ?? ""];
        }
        if (claims.NodeName is not null)
        {
            extra["authentication.kubernetes.io/node-name"] = [claims.NodeName];
            extra["authentication.kubernetes.io/node-uid"] = [claims.NodeUid ?? ""];
        }
        return AuthenticationResult.Success(new UserInfo(claims.UserName,
            ["system:serviceaccounts", $"system:serviceaccounts:{claims.Namespace}", UserInfo.AuthenticatedGroup],
            claims.ServiceAccountUid, extra));
    }

    private async Task<bool> Matches(string resource, string ns, string name, string? uid, CancellationToken ct)
    {
        var obj = await lookup(resource, ns, name, ct);
        if (obj is null) return false;
        return string.IsNullOrEmpty(uid) || obj["metadata"]?["uid"]?.GetValue<string>() == uid;
    }
}
