using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Skiff.ApiServer.Pki;

namespace Skiff.ApiServer.Authentication;

/// <summary>
/// Authenticates a request by the TLS client certificate of its connection, like kube-apiserver's
/// <c>--client-ca-file</c>: the certificate must chain to the client CA (no other root is trusted,
/// no revocation check) and allow client authentication; the user is the subject CN, the groups
/// are the subject O values plus <c>system:authenticated</c>.
/// <para>
/// Cost: the chain is built once per certificate object, i.e. once per TLS connection (Kestrel keeps
/// one instance per connection, and HTTP/2 multiplexes many requests over it); later requests are a
/// table lookup. A cached result is dropped when the certificate's NotAfter passes.
/// </para>
/// Thread-safety: safe for concurrent use from any number of connections and streams.
/// </summary>
public sealed class ClientCertificateAuthenticator
{
    private static readonly Oid ClientAuthOid = new("1.3.6.1.5.5.7.3.2", "Client Authentication");

    private readonly X509Certificate2 _clientCa;
    private readonly TimeProvider _clock;

    // Keyed by certificate instance and held weakly: the entry lives exactly as long as the
    // connection's certificate object, so nothing needs to be evicted by hand.
    private readonly ConditionalWeakTable<X509Certificate2, CachedResult> _cache = new();

    private long _verifications;

    /// <param name="clientCa">The only root trusted for client certificates.</param>
    /// <param name="clock">Time used for validity checks; the system clock when null.</param>
    public ClientCertificateAuthenticator(X509Certificate2 clientCa, TimeProvider? clock = null)
    {
        _clientCa = clientCa ?? throw new ArgumentNullException(nameof(clientCa));
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>An authenticator trusting <paramref name="pki"/>'s client CA.</summary>
    public ClientCertificateAuthenticator(ClusterPki pki, TimeProvider? clock = null)
        : this(pki.ClientCa.Certificate, clock)
    {
    }

    /// <summary>How many chain verifications ran (cache misses); for metrics and for proving the cache works.</summary>
    public long VerificationCount => Interlocked.Read(ref _verifications);

    /// <summary>Authenticates the request by its connection's client certificate.</summary>
    public AuthenticationResult Authenticate(HttpContext context) => Authenticate(context.Connection.ClientCertificate);

    /// <summary>
    /// <see cref="AuthenticationResult.NoCredentials"/> when <paramref name="certificate"/> is null or names
    /// no user (empty CN, as upstream); success when it chains to the client CA; failure otherwise.
    /// </summary>
    public AuthenticationResult Authenticate(X509Certificate2? certificate)
    {
        if (certificate is null)
        {
            return AuthenticationResult.NoCredentials;
        }
        DateTimeOffset now = _clock.GetUtcNow();
        if (_cache.TryGetValue(certificate, out CachedResult? cached) && now < cached.ValidUntil)
        {
            return cached.Result;
        }
        AuthenticationResult result = Verify(certificate, now);
        // Failures are cached too: a connection with a bad certificate stays bad.
        _cache.AddOrUpdate(certificate, new CachedResult(result, new DateTimeOffset(certificate.NotAfter.ToUniversalTime())));
        return result;
    }

    private AuthenticationResult Verify(X509Certificate2 certificate, DateTimeOffset now)
    {
        Interlocked.Increment(ref _verifications);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_clientCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthOid);
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        bool valid;
        try
        {
            valid = chain.Build(certificate);
        }
        catch (CryptographicException e)
        {
            return AuthenticationResult.Fail($"client certificate could not be verified: {e.Message}");
        }
        if (!valid)
        {
            string problems = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            return AuthenticationResult.Fail($"client certificate {certificate.Subject} is not signed by the client CA or not valid for client auth: {problems}");
        }

        string? user = CertificateSubject.CommonName(certificate.SubjectName);
        if (string.IsNullOrEmpty(user))
        {
            // Upstream treats a CN-less certificate as "no opinion", not as an error.
            return AuthenticationResult.NoCredentials;
        }
        return AuthenticationResult.Success(UserInfo.Authenticated(user, CertificateSubject.Organizations(certificate.SubjectName)));
    }

    private sealed record CachedResult(AuthenticationResult Result, DateTimeOffset ValidUntil);
}
