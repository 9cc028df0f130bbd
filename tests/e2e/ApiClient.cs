using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;

namespace Skiff.E2E;

/// <summary>
/// A raw HTTPS client for a test server, authenticated with the admin certificate from its
/// kubeconfig and trusting only its CA: for requests kubectl cannot make (malformed bodies,
/// bursts of concurrent creates, watches from a chosen revision).
/// </summary>
public sealed class ApiClient : IDisposable
{
    private readonly HttpClient _http;

    /// <param name="clientCertificate">false: present no client certificate (e.g. to authenticate with a bearer token).</param>
    public ApiClient(SkiffServer server, Version? httpVersion = null, bool clientCertificate = true)
    {
        var yaml = File.ReadAllText(server.Kubeconfig);
        string Field(string name) => Encoding.UTF8.GetString(Convert.FromBase64String(
            Regex.Match(yaml, name + @":\s*(\S+)").Groups[1].Value));
        var ca = X509Certificate2.CreateFromPem(Field("certificate-authority-data"));
        var cert = X509Certificate2.CreateFromPem(Field("client-certificate-data"), Field("client-key-data"));
        cert = X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
        var handler = new SocketsHttpHandler
        {
            SslOptions =
            {
                ClientCertificates = clientCertificate ? new X509CertificateCollection { cert } : [],
                RemoteCertificateValidationCallback = (_, c, _, _) =>
                {
                    if (c is null) return false;
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(new X509Certificate2(c));
                },
            },
            EnableMultipleHttp2Connections = true,
        };
        _http = new HttpClient(handler)
        {
            BaseAddress = new Uri($"https://127.0.0.1:{server.Port}"),
            DefaultRequestVersion = httpVersion ?? HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public HttpClient Http => _http;

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body = null,
        string contentType = "application/json", CancellationToken ct = default)
    {
        var req = new HttpRequestMessage(method, path);
        if (body is not null) req.Content = new StringContent(body, new MediaTypeHeaderValue(contentType));
        return _http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct);
    }

    public void Dispose() => _http.Dispose();
}
