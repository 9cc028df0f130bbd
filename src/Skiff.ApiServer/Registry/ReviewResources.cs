using System.Text.Json.Nodes;
using Skiff.Api.Meta;
using Skiff.ApiServer.Authentication;
using Skiff.ApiServer.Authorization;
using Skiff.ApiServer.Serialization;

namespace Skiff.ApiServer.Registry;

/// <summary>
/// The create-only "review" resources, which are never stored: the server answers them from its
/// authenticator and authorizer (what <c>kubectl auth can-i</c> and <c>kubectl auth whoami</c> ask).
/// </summary>
public static class ReviewResources
{
    private static readonly HashSet<GroupResource> Reviews =
    [
        new("authentication.k8s.io", "selfsubjectreviews"), new("authentication.k8s.io", "tokenreviews"),
        new("authorization.k8s.io", "selfsubjectaccessreviews"), new("authorization.k8s.io", "subjectaccessreviews"),
        new("authorization.k8s.io", "localsubjectaccessreviews"), new("authorization.k8s.io", "selfsubjectrulesreviews"),
    ];

    public static bool IsReview(ServedResource r) => Reviews.Contains(r.GroupResource);

    /// <summary>Fills in the review's status for <paramref name="user"/> and returns it.</summary>
    public static JsonObject Answer(ServedResource r, JsonObject review, UserInfo user, IAuthorizer authorizer)
    {
        review["apiVersion"] = r.ApiVersion;
        review["kind"] = r.Kind;
        var meta = Obj.Meta(review);
        meta["creationTimestamp"] = null;
        var spec = review["spec"] as JsonObject ?? new JsonObject();
        review["status"] = r.Resource switch
        {
            "selfsubjectreviews" => new JsonObject { ["userInfo"] = UserJson(user) },
            "tokenreviews" => new JsonObject { ["user"] = new JsonObject(), ["error"] = "token authentication is not enabled on this server", ["authenticated"] = false },
            "selfsubjectrulesreviews" => RulesFor(user, authorizer, Obj.Str(spec, "namespace") ?? ""),
            _ => AccessFor(r.Resource == "selfsubjectaccessreviews" ? user : SubjectOf(spec), spec, authorizer),
        };
        return review;
    }

    /// <summary>
    /// A TokenReview (what webhooks and the kubelet ask): authenticates spec.token for spec.audiences
    /// (the API's by default) and answers the user, or authenticated=false with the reason.
    /// </summary>
    public static async Task<JsonObject> AnswerTokenReviewAsync(ServedResource r, JsonObject review, ServiceAccountTokenAuthenticator tokens, CancellationToken ct)
    {
        review["apiVersion"] = r.ApiVersion;
        review["kind"] = r.Kind;
        Obj.Meta(review)["creationTimestamp"] = null;
        var spec = review["spec"] as JsonObject ?? new JsonObject();
        var audiences = (spec["audiences"] as JsonArray)?.Select(a => a?.GetValue<string>() ?? "").Where(a => a.Length > 0).ToList();
        var token = Obj.Str(spec, "token") ?? "";
        var result = token.Length == 0 ? AuthenticationResult.Fail("token is empty") : await tokens.AuthenticateTokenAsync(token, audiences, ct);
        if (result.User is { } user)
        {
            var u = UserJson(user);
            if (user.Extra.Count > 0)
                u["extra"] = new JsonObject(user.Extra.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)new JsonArray(kv.Value.Select(v => (JsonNode?)v).ToArray()))));
            var status = new JsonObject { ["authenticated"] = true, ["user"] = u };
            if (audiences is { Count: > 0 }) status["audiences"] = new JsonArray(audiences.Select(a => (JsonNode?)a).ToArray());
            review["status"] = status;
        }
        else
        {
            review["status"] = new JsonObject { ["user"] = new JsonObject(), ["error"] = $"[invalid bearer token, {result.Failure}]" };
        }
        return review;
    }

    private static JsonObject UserJson(UserInfo u)
    {
        var o = new JsonObject { ["username"] = u.Name, ["groups"] = new JsonArray(u.Groups.Select(g => (JsonNode?)g).ToArray()) };
        if (u.Uid is { Length: > 0 } uid) o["uid"] = uid;
        return o;
    }

    private static UserInfo SubjectOf(JsonObject spec)
    {
        var groups = (spec["groups"] as JsonArray)?.Select(g => g?.GetValue<string>() ?? "").ToList() ?? [];
        var name = Obj.Str(spec, "user") ?? "";
        return name.Length > 0 || groups.Count > 0 ? new UserInfo(name, groups) : UserInfo.Anonymous;
    }

    private static JsonObject AccessFor(UserInfo user, JsonObject spec, IAuthorizer authorizer)
    {
        var ra = spec["resourceAttributes"] as JsonObject;
        var na = spec["nonResourceAttributes"] as JsonObject;
        var attrs = ra is not null
            ? new AuthorizationAttributes(user, Obj.Str(ra, "verb") ?? "", true, Obj.Str(ra, "group") ?? "", Obj.Str(ra, "version") ?? "",
                Obj.Str(ra, "resource") ?? "", Obj.Str(ra, "subresource") ?? "", Obj.Str(ra, "namespace") ?? "", Obj.Str(ra, "name") ?? "")
            : new AuthorizationAttributes(user, Obj.Str(na, "verb") ?? "", false, Path: Obj.Str(na, "path") ?? "");
        var (decision, reason) = authorizer.Authorize(attrs);
        var status = new JsonObject { ["allowed"] = decision == Decision.Allow };
        if (decision == Decision.Deny) status["denied"] = true;
        if (reason.Length > 0) status["reason"] = reason;
        return status;
    }

    private static JsonObject RulesFor(UserInfo user, IAuthorizer authorizer, string ns)
    {
        var all = authorizer.Authorize(new AuthorizationAttributes(user, "*", true, "*", "*", "*", Namespace: ns)).Decision == Decision.Allow;
        return new JsonObject
        {
            ["resourceRules"] = all ? new JsonArray(new JsonObject { ["verbs"] = new JsonArray("*"), ["apiGroups"] = new JsonArray("*"), ["resources"] = new JsonArray("*") }) : new JsonArray(),
            ["nonResourceRules"] = all ? new JsonArray(new JsonObject { ["verbs"] = new JsonArray("*"), ["nonResourceURLs"] = new JsonArray("*") }) : new JsonArray(),
            ["incomplete"] = false,
        };
    }
}
