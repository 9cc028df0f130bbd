using System.Security.Authentication;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Skiff.ApiServer.Pki;

namespace Skiff.ApiServer.Authentication;

/// <summary>What the TLS layer does with a client certificate that does not chain to the client CA.</summary>
public enum UntrustedClientCertificatePolicy
{
    /// <summary>
    /// Complete the handshake and let <see cref="ClientCertificateAuthenticator"/> fail the request with
    /// 401, as kube-apiserver does (Go asks for a certificate without verifying it in the handshake).
    /// The client sees a Status it can print instead of an opaque TLS alert.
    /// </summary>
    RespondUnauthorized,

    /// <summary>Abort the handshake: the client gets a TLS alert and no HTTP response at all.</summary>
    RejectHandshake,
}

/// <summary>
/// Kestrel HTTPS settings for the API server: the serving certificate, TLS 1.2+, and client
/// certificates requested but optional (anonymous requests must still reach /healthz, /version and
/// the authorizer). Stateless.
/// </summary>
public static class TlsSetup
{
    /// <summary>
    /// Configures <paramref name="listen"/> for HTTP/1.1 and HTTP/2 (chosen by ALPN; kubectl and
    /// client-go prefer h2) over TLS with <see cref="Configure"/>.
    /// </summary>
    public static ListenOptions UseApiServerTls(
        this ListenOptions listen,
        ClusterPki pki,
        ClientCertificateAuthenticator authenticator,
        UntrustedClientCertificatePolicy policy = UntrustedClientCertificatePolicy.RespondUnauthorized)
    {
        listen.Protocols = HttpProtocols.Http1AndHttp2;
        return listen.UseHttps(https => Configure(https, pki, authenticator, policy));
    }

    /// <summary>Fills in <paramref name="https"/> for the API server's listener.</summary>
    public static void Configure(
        HttpsConnectionAdapterOptions https,
        ClusterPki pki,
        ClientCertificateAuthenticator authenticator,
        UntrustedClientCertificatePolicy policy = UntrustedClientCertificatePolicy.RespondUnauthorized)
    {
        ArgumentNullException.ThrowIfNull(https);
        ArgumentNullException.ThrowIfNull(pki);
        ArgumentNullException.ThrowIfNull(authenticator);

        https.ServerCertificate = pki.Serving.Certificate;
        https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
        https.CheckCertificateRevocation = false;
        https.ClientCertificateValidation = (certificate, _, _) =>
        {
            // The platform's verdict (sslPolicyErrors) is against the system trust store, which never
            // holds our client CA; our authenticator is the only judge. Verifying here also warms its
            // per-certificate cache, so the first request on the connection pays nothing extra.
            AuthenticationResult result = authenticator.Authenticate(certificate);
            return policy == UntrustedClientCertificatePolicy.RespondUnauthorized || !result.IsFailure;
        };
    }
}
