using Skiff.ApiServer.Authentication;

namespace Skiff.ApiServer.Authorization;

/// <summary>What a request wants to do, in the terms authorizers decide on (upstream's authorizer.Attributes).</summary>
public sealed record AuthorizationAttributes(
    UserInfo User,
    string Verb,
    bool IsResourceRequest,
    string Group = "",
    string Version = "",
    string Resource = "",
    string Subresource = "",
    string Namespace = "",
    string Name = "",
    string Path = "");

public enum Decision { Allow, Deny, NoOpinion }

/// <summary>Decides whether a user may perform a request. Implementations are thread-safe.</summary>
public interface IAuthorizer
{
    (Decision Decision, string Reason) Authorize(AuthorizationAttributes attributes);
}

/// <summary>Allows every authenticated user everything: the server's policy until RBAC exists.</summary>
public sealed class AllowAuthenticatedAuthorizer : IAuthorizer
{
    public (Decision Decision, string Reason) Authorize(AuthorizationAttributes a) =>
        a.User.IsInGroup(UserInfo.AuthenticatedGroup)
            ? (Decision.Allow, "")
            : (Decision.NoOpinion, "the user is not authenticated");
}
