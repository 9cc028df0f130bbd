using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Skiff.Api.Join;

namespace Skiff.Agent.Join;

/// <summary>A join that failed. <see cref="Permanent"/>: asking again cannot help (wrong token, foreign CA, name taken).</summary>
public sealed class JoinException(string message, bool permanent, Exception? inner = null) : Exception(message, inner)
{
    public bool Permanent { get; } = permanent;
}

/// <summary>
/// The agent's half of joining a cluster with a token: downloads the server CA from <c>/cacerts</c> without trusting
/// it, checks it against the token's hash (the short token form trusts it on first use), then, trusting only that
/// CA, asks <c>/v1-skiff/node</c> for the node's certificates with the token's password. One call per join; no state.
/// </summary>
public sealed class NodeJoiner(Uri server, JoinToken token, TimeSpan? timeout = null)
{
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromSeconds(30);

    public async Task<NodeJoinResponse> JoinAsync(NodeJoinRequest request, CancellationToken ct)
    {
        var caPem = await FetchCaAsync(ct).ConfigureAwait(false);
        if (token.CaHash is { } expected && JoinToken.HashOf(caPem) != expected)
            throw new JoinException($"the CA certificate served by {server} does not match the token's hash (K10{expected[..12]}…): " +
                "the token is for another cluster, or something between here and the server is not the server", permanent: true);

        using var ca = X509Certificate2.CreateFromPem(caPem);
        using var http = Client(ca);
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(server, NodeJoinPaths.Node))
        {
            Content = new StringContent(request.ToJson().ToJsonString(), Encoding.UTF8, "application/json"),
        };
        message.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{token.Username}:{token.Password}")));
        using (var response = await Reaching(() => http.SendAsync(message, ct), ct).ConfigureAwait(false))
        {
            var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                try { return NodeJoinResponse.FromJson(JsonNode.Parse(body)); }
                catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
                {
                    throw new JoinException($"the server's join answer is not understood: {e.Message}", permanent: true, e);
                }
            }
            var why = StatusMessage(body) ?? response.ReasonPhrase ?? "";
            var code = (int)response.StatusCode;
            throw response.StatusCode switch
            {
                HttpStatusCode.Unauthorized => new JoinException($"the server refused the token (401 Unauthorized)", permanent: true),
                HttpStatusCode.NotFound => new JoinException($"{server} serves no join endpoint (404): is it a skiff server?", permanent: true),
                _ when code is >= 400 and < 500 && code != 429 => new JoinException($"the server refused the join ({code}): {why}", permanent: true),
                _ => new JoinException($"the server failed the join ({code}): {why}", permanent: false),
            };
        }
    }

    /// <summary>The CA bundle as served: trust comes from the hash check that follows, not from TLS.</summary>
    private async Task<string> FetchCaAsync(CancellationToken ct)
    {
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            ConnectTimeout = _timeout,
        };
        using var http = new HttpClient(handler) { Timeout = _timeout };
        using var response = await Reaching(() => http.GetAsync(new Uri(server, NodeJoinPaths.CaCerts), ct), ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound || response.StatusCode == HttpStatusCode.Unauthorized)
            throw new JoinException($"{server} serves no {NodeJoinPaths.CaCerts} ({(int)response.StatusCode}): is it a skiff server?", permanent: true);
        if (!response.IsSuccessStatusCode)
            throw new JoinException($"{server}{NodeJoinPaths.CaCerts} answered {(int)response.StatusCode}", permanent: false);
        var pem = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (!pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            throw new JoinException($"{server}{NodeJoinPaths.CaCerts} did not answer a PEM certificate", permanent: true);
        return pem;
    }

    /// <summary>Sends a request; a server that cannot be reached or does not answer in time is a join worth retrying.</summary>
    private async Task<HttpResponseMessage> Reaching(Func<Task<HttpResponseMessage>> send, CancellationToken ct)
    {
        try { return await send().ConfigureAwait(false); }
        catch (HttpRequestException e) { throw new JoinException($"cannot reach {server}: {e.Message}", permanent: false, e); }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested) { throw new JoinException($"{server} did not answer in {_timeout.TotalSeconds:0} s", permanent: false, e); }
    }

    /// <summary>An HTTP client that trusts <paramref name="ca"/> alone (no system roots) for the server's certificate.</summary>
    private HttpClient Client(X509Certificate2 ca)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = _timeout,
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { ca },
                    RevocationMode = X509RevocationMode.NoCheck,
                },
            },
        };
        return new HttpClient(handler, disposeHandler: true) { Timeout = _timeout };
    }

    private static string? StatusMessage(string body)
    {
        try { return JsonNode.Parse(body)?["message"]?.GetValue<string>(); }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException) { return null; }
    }
}
