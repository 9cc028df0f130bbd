using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Authentication;

/// <summary>What a service account token says about its holder (the <c>kubernetes.io</c> claims).</summary>
public sealed record ServiceAccountClaims(
    string Namespace, string ServiceAccountName, string ServiceAccountUid,
    IReadOnlyList<string> Audiences, DateTimeOffset Expires, string TokenId,
    string? PodName = null, string? PodUid = null,
    string? SecretName = null, string? SecretUid = null,
    string? NodeName = null, string? NodeUid = null)
{
    public string UserName => $"system:serviceaccount:{Namespace}:{ServiceAccountName}";
}

/// <summary>
/// Issues and verifies service account tokens: RS256-signed JWTs in upstream's layout (iss, sub,
/// aud, exp, iat, nbf, jti and the <c>kubernetes.io</c> claim with namespace, serviceaccount and
/// the bound object), with the key id derived from the public key as upstream does, so the same
/// key could be published through the OIDC discovery endpoints. Thread-safe.
/// </summary>
public sealed class ServiceAccountTokens
{
    /// <summary>k3s's issuer, which is also the default API audience.</summary>
    public const string DefaultIssuer = "https://kubernetes.default.svc.cluster.local";

    private readonly RSA _key;
    private readonly string _keyId;
    private readonly TimeProvider _clock;

    public ServiceAccountTokens(RSA key, string issuer = DefaultIssuer, IReadOnlyList<string>? apiAudiences = null, TimeProvider? clock = null)
    {
        _key = key;
        Issuer = issuer;
        ApiAudiences = apiAudiences ?? [issuer, "skiff"];
        _clock = clock ?? TimeProvider.System;
        _keyId = Base64Url.EncodeToString(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
    }

    public string Issuer { get; }

    /// <summary>Audiences the API server accepts, and the default audience of a token request.</summary>
    public IReadOnlyList<string> ApiAudiences { get; }

    /// <summary>Loads the RSA signing key at <paramref name="path"/> (PEM), creating a 2048-bit one (mode 0600) when missing.</summary>
    public static RSA LoadOrCreateKey(string path)
    {
        var rsa = RSA.Create();
        if (File.Exists(path))
        {
            rsa.ImportFromPem(File.ReadAllText(path));
            return rsa;
        }
        rsa.KeySize = 2048;
        Pki.AtomicFile.WriteAllText(path, rsa.ExportRSAPrivateKeyPem(), Pki.FileModes.Private);
        return rsa;
    }

    /// <summary>Signs a token for <paramref name="claims"/>; its iat/nbf are now.</summary>
    public string Issue(ServiceAccountClaims claims)
    {
        var now = _clock.GetUtcNow().ToUnixTimeSeconds();
        var k8s = new JsonObject
        {
            ["namespace"] = claims.Namespace,
            ["serviceaccount"] = new JsonObject { ["name"] = claims.ServiceAccountName, ["uid"] = claims.ServiceAccountUid },
        };
        if (claims.PodName is not null) k8s["pod"] = new JsonObject { ["name"] = claims.PodName, ["uid"] = claims.PodUid };
        if (claims.SecretName is not null) k8s["secret"] = new JsonObject { ["name"] = claims.SecretName, ["uid"] = claims.SecretUid };
        if (claims.NodeName is not null) k8s["node"] = new JsonObject { ["name"] = claims.NodeName, ["uid"] = claims.NodeUid };
        var payload = new JsonObject
        {
            ["aud"] = new JsonArray(claims.Audiences.Select(a => (JsonNode)JsonValue.Create(a)!).ToArray()),
            ["exp"] = claims.Expires.ToUnixTimeSeconds(),
            ["iat"] = now,
            ["iss"] = Issuer,
            ["jti"] = claims.TokenId,
            ["kubernetes.io"] = k8s,
            ["nbf"] = now,
            ["sub"] = claims.UserName,
        };
        var header = new JsonObject { ["alg"] = "RS256", ["kid"] = _keyId };
        var signingInput = Encode(header) + "." + Encode(payload);
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>
    /// Verifies signature, issuer, audience and validity time. Returns null with the reason when
    /// the token is not one of ours or not valid now; whether the service account (and bound
    /// object) still exists is the caller's check.
    /// </summary>
    public ServiceAccountClaims? Verify(string token, out string? failure, IReadOnlyList<string>? acceptedAudiences = null)
    {
        failure = null;
        var parts = token.Split('.');
        if (parts.Length != 3) { failure = "not a JWT"; return null; }
        JsonObject header, payload;
        try
        {
            header = JsonNode.Parse(Base64Url.DecodeFromChars(parts[0]))!.AsObject();
            payload = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject();
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            failure = "malformed token"; return null;
        }
        if (header["alg"]?.GetValue<string>() != "RS256") { failure = "unsupported algorithm"; return null; }
        if (payload["iss"]?.GetValue<string>() != Issuer) { failure = "foreign issuer"; return null; }
        byte[] signature;
        try { signature = Base64Url.DecodeFromChars(parts[2]); }
        catch (FormatException) { failure = "malformed signature"; return null; }
        if (!_key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            failure = "invalid signature"; return null;
        }
        var now = _clock.GetUtcNow().ToUnixTimeSeconds();
        var exp = payload["exp"]?.GetValue<long>() ?? 0;
        if (now > exp) { failure = "token has expired"; return null; }
        if ((payload["nbf"]?.GetValue<long>() ?? 0) > now + 60) { failure = "token is not valid yet"; return null; }
        var audiences = payload["aud"] switch
        {
            JsonArray a => a.Select(x => x?.GetValue<string>() ?? "").ToList(),
            JsonValue v => [v.GetValue<string>()],
            _ => [],
        };
        if (!audiences.Intersect(acceptedAudiences is { Count: > 0 } ? acceptedAudiences : ApiAudiences).Any())
        {
            failure = "token audiences are not accepted by this server"; return null;
        }
        var k8s = payload["kubernetes.io"] as JsonObject;
        var ns = k8s?["namespace"]?.GetValue<string>();
        var sa = k8s?["serviceaccount"] as JsonObject;
        if (ns is null || sa?["name"]?.GetValue<string>() is not { } saName) { failure = "missing kubernetes.io claims"; return null; }
        return new ServiceAccountClaims(ns, saName, sa["uid"]?.GetValue<string>() ?? "", audiences,
            DateTimeOffset.FromUnixTimeSeconds(exp), payload["jti"]?.GetValue<string>() ?? "",
            k8s!["pod"]?["name"]?.GetValue<string>(), k8s["pod"]?["uid"]?.GetValue<string>(),
            k8s["secret"]?["name"]?.GetValue<string>(), k8s["secret"]?["uid"]?.GetValue<string>(),
            k8s["node"]?["name"]?.GetValue<string>(), k8s["node"]?["uid"]?.GetValue<string>());
    }

    private static string Encode(JsonObject o) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(o.ToJsonString()));
}
