using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Skiff.Api.Json;
using Skiff.Api.Models.Meta.V1;

namespace Skiff.Client.Rest;

/// <summary>
/// The one HTTP connection pool of a component to the API server: HTTP/2 over TLS with the component's
/// client certificate, trusting only the cluster CA. Turns non-2xx answers into <see cref="ApiException"/>
/// carrying the server's Status. Holds no per-request state; safe from any thread (share one per process).
/// </summary>
public sealed class ApiConnection : IDisposable
{
    private readonly HttpClient _http;

    /// <summary>Uses <paramref name="handler"/> as the transport (TLS pool, or an in-process loopback handler).</summary>
    public ApiConnection(HttpMessageHandler handler, Uri server, string userAgent = "skiff-client", Version? httpVersion = null)
    {
        _http = new HttpClient(handler, disposeHandler: true)
        {
            BaseAddress = server,
            DefaultRequestVersion = httpVersion ?? HttpVersion.Version20,
            // Over TLS the version is negotiated by ALPN; with RequestVersionOrHigher a server that only
            // speaks HTTP/1.1 still works, while ours gets HTTP/2 and multiplexes watches on few sockets.
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrHigher,
            // Watches run for many minutes; each non-watch request carries its own deadline instead.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.TryParseAdd(userAgent);
        Server = server;
    }

    public Uri Server { get; }

    /// <summary>Deadline for non-watch requests.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A connection for <paramref name="config"/>: SocketsHttpHandler, HTTP/2, client certificate, CA pinning.</summary>
    public static ApiConnection Create(ClientConfig config) =>
        new(CreateHandler(config), config.Server, config.UserAgent) { RequestTimeout = config.RequestTimeout };

    public static HttpMessageHandler CreateHandler(ClientConfig config)
    {
        var handler = new SocketsHttpHandler
        {
            // One TCP connection carries up to the server's stream limit (100 on Kestrel); more are opened
            // past that, so many long-running watches never starve ordinary requests.
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            // Detects a dead server (killed, network gone) on an otherwise idle watch connection.
            KeepAlivePingDelay = TimeSpan.FromSeconds(15),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            AutomaticDecompression = DecompressionMethods.None,
        };
        if (config.ClientCertificatePem is { } certPem && config.ClientKeyPem is { } keyPem)
        {
            using var ephemeral = X509Certificate2.CreateFromPem(certPem, keyPem);
            // SslStream wants a certificate whose key it can use for the handshake; a PKCS#12 round trip
            // turns the PEM-imported ephemeral key into one it accepts on every platform.
            var cert = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
            handler.SslOptions.ClientCertificates = new X509CertificateCollection { cert };
        }
        if (config.InsecureSkipTlsVerify)
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        else if (config.CertificateAuthorityPem is { } caPem)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPem(caPem);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, errors) =>
            {
                if (cert is null) return false;
                if (errors == SslPolicyErrors.None) return true;
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                using var leaf = X509CertificateLoader.LoadCertificate(cert.GetRawCertData());
                return chain.Build(leaf) && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None;
            };
        }
        if (config.BearerToken is not null && config.ClientCertificatePem is null)
            return new BearerTokenHandler(handler, config.BearerToken);
        return handler;
    }

    /// <summary>
    /// Sends a request and returns the response once its headers arrived (the body is not buffered);
    /// the caller disposes it. Throws <see cref="ApiException"/> for non-2xx answers.
    /// </summary>
    /// <param name="streaming">True for watches: no request deadline (the caller's token ends it).</param>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, HttpContent? content,
        CancellationToken ct, bool streaming = false)
    {
        using var request = new HttpRequestMessage(method, pathAndQuery) { Content = content };
        request.Headers.Accept.Add(JsonMedia);
        using var deadline = streaming ? null : CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline?.CancelAfter(RequestTimeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline?.Token ?? ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested && deadline is not null)
        {
            throw new ApiException(ApiException.FromCode(504, $"request timed out after {RequestTimeout}"), $"{method} {pathAndQuery}");
        }
        if (response.IsSuccessStatusCode) return response;
        using (response)
        {
            var status = await ReadStatusAsync(response, ct).ConfigureAwait(false);
            throw new ApiException(status, $"{method} {pathAndQuery}");
        }
    }

    /// <summary>Sends a request and deserializes the JSON answer with <paramref name="read"/>.</summary>
    public async Task<TResult> SendAsync<TResult>(HttpMethod method, string pathAndQuery, HttpContent? content,
        Func<Stream, CancellationToken, ValueTask<TResult>> read, CancellationToken ct)
    {
        using var response = await SendAsync(method, pathAndQuery, content, ct).ConfigureAwait(false);
        await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        return await read(body, ct).ConfigureAwait(false);
    }

    private static async Task<Status> ReadStatusAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var code = (int)response.StatusCode;
        byte[] body;
        try { body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false); }
        catch (HttpRequestException) { body = []; }
        try
        {
            if (body.Length > 0 && ModelJson.Deserialize<Skiff.Api.Models.Meta.V1.Status>(body) is { Kind: "Status" } s)
            {
                s.Code ??= code;
                return s;
            }
        }
        catch (JsonException) { }
        var text = System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 512)));
        return ApiException.FromCode(code, text.Length > 0 ? text : response.ReasonPhrase ?? "");
    }

    private static readonly MediaTypeWithQualityHeaderValue JsonMedia = new("application/json");

    public void Dispose() => _http.Dispose();

    /// <summary>Adds an Authorization header to every request.</summary>
    private sealed class BearerTokenHandler(HttpMessageHandler inner, string token) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return base.SendAsync(request, ct);
        }
    }
}
