using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using Skiff.Api.Json;
using Skiff.Api.Models.Authentication.V1;
using Skiff.Api.Models.Core.V1;
using Skiff.Client;

namespace Skiff.Agent.Volumes;

/// <summary>
/// Service account tokens for projected volumes, bound to their pod, as upstream's token manager: a token
/// is requested through <c>serviceaccounts/NAME/token</c> and reused until it is older than 80% of its
/// lifetime or older than 24 hours, then replaced. Thread-safe.
/// </summary>
public sealed class ServiceAccountTokenSource(KubeClient client, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly ConcurrentDictionary<TokenKey, CachedToken> _cache = new();

    /// <summary>The token for the pod's service account with this audience and lifetime (null audience: the API's).</summary>
    public async Task<string> GetAsync(Pod pod, string? audience, long expirationSeconds, CancellationToken ct)
    {
        var ns = pod.Metadata?.Namespace ?? "default";
        var sa = pod.Spec?.ServiceAccountName is { Length: > 0 } s ? s : "default";
        var key = new TokenKey(ns, sa, pod.Metadata?.Uid ?? "", audience ?? "", expirationSeconds);
        var now = _clock.GetUtcNow();
        if (_cache.TryGetValue(key, out var cached) && !cached.NeedsRefresh(now)) return cached.Token;

        var request = new TokenRequest
        {
            ApiVersion = "authentication.k8s.io/v1",
            Kind = "TokenRequest",
            Spec = new TokenRequestSpec
            {
                Audiences = audience is { Length: > 0 } a ? [a] : [],
                ExpirationSeconds = expirationSeconds,
                BoundObjectRef = new BoundObjectReference { ApiVersion = "v1", Kind = "Pod", Name = pod.Metadata?.Name, Uid = pod.Metadata?.Uid },
            },
        };
        var content = new ByteArrayContent(ModelJson.SerializeToUtf8Bytes(request));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var path = $"/api/v1/namespaces/{Uri.EscapeDataString(ns)}/serviceaccounts/{Uri.EscapeDataString(sa)}/token";
        var answer = await client.Connection.SendAsync(HttpMethod.Post, path, content,
            async (body, c) => await ModelJson.DeserializeAsync<TokenRequest>(body, c).ConfigureAwait(false), ct)
            .ConfigureAwait(false);
        var token = answer?.Status?.Token ?? throw new InvalidOperationException($"the token request for {ns}/{sa} returned no token");
        var expires = answer.Status.ExpirationTimestamp is { } e ? e : now.AddSeconds(expirationSeconds);
        _cache[key] = new CachedToken(token, now, expires);
        return token;
    }

    /// <summary>Drops every token of the pod (its volumes are gone).</summary>
    public void Forget(string podUid)
    {
        foreach (var key in _cache.Keys.Where(k => k.PodUid == podUid)) _cache.TryRemove(key, out _);
    }

    private readonly record struct TokenKey(string Namespace, string ServiceAccount, string PodUid, string Audience, long ExpirationSeconds);

    private sealed record CachedToken(string Token, DateTimeOffset IssuedAt, DateTimeOffset Expires)
    {
        public bool NeedsRefresh(DateTimeOffset now)
        {
            var ttl = Expires - IssuedAt;
            return now >= IssuedAt + ttl * 0.8 || now >= IssuedAt + TimeSpan.FromHours(24);
        }
    }
}
