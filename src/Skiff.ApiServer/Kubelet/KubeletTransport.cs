using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Skiff.ApiServer.Kubelet;

/// <summary>
/// The TLS identity and trust for calls to kubelets: one pooled <see cref="HttpClient"/> for plain
/// requests (logs, nodes/proxy) and TLS options for the upgrade dialer (exec, attach, port-forward).
/// Thread-safe; one per API server.
/// </summary>
public sealed class KubeletTransport : IDisposable
{
    private readonly X509Certificate2 _client;
    private readonly X509Certificate2Collection _roots = new();

    public KubeletTransport(KubeletClientOptions options)
    {
        using var ephemeral = X509Certificate2.CreateFromPem(options.CertificatePem, options.KeyPem);
        _client = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
        _roots.ImportFromPem(options.CaPem);
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = false,
            UseCookies = false,
            SslOptions = Tls(),
        };
        Http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public HttpClient Http { get; }

    /// <summary>Fresh options per connection (SslStream keeps state in them).</summary>
    public SslClientAuthenticationOptions Tls() => new()
    {
        ClientCertificates = new X509CertificateCollection { _client },
        RemoteCertificateValidationCallback = (_, cert, _, errors) => cert is not null && (errors == SslPolicyErrors.None || ChainsToCa(cert, errors)),
    };

    private bool ChainsToCa(X509Certificate cert, SslPolicyErrors errors)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = X509CertificateLoader.LoadCertificate(cert.GetRawCertData());
        return chain.Build(leaf) && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None;
    }

    public void Dispose()
    {
        Http.Dispose();
        _client.Dispose();
    }
}
