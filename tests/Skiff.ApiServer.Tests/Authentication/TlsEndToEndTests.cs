using System.Net;
using System.Net.Http;
using Skiff.ApiServer.Authentication;
using Skiff.ApiServer.Pki;
using Skiff.ApiServer.Tests.Pki;

namespace Skiff.ApiServer.Tests.Authentication;

public sealed class TlsEndToEndTests : IDisposable
{
    private const string Admin = "name=system:admin;groups=system:masters,system:authenticated";

    private readonly TempDirectory _temp = new();
    private readonly ClusterPki _pki;

    public TlsEndToEndTests() => _pki = ClusterPki.LoadOrCreate(_temp.Combine("tls"), new ServingCertificateOptions());

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("2.0", "HTTP/2")]
    [InlineData("1.1", "HTTP/1.1")]
    public async Task AdminCertificateAuthenticatesAsSystemAdmin(string version, string protocol)
    {
        await using var server = await WhoAmIServer.StartAsync(_pki, UntrustedClientCertificatePolicy.RespondUnauthorized, CancellationToken.None);
        using var client = WhoAmIServer.CreateClient(_pki, _pki.Admin.Certificate);

        using HttpResponseMessage response = await GetAsync(client, server, Version.Parse(version));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"{Admin};protocol={protocol}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ConnectionVerifiesTheCertificateOnceForManyRequests()
    {
        await using var server = await WhoAmIServer.StartAsync(_pki, UntrustedClientCertificatePolicy.RespondUnauthorized, CancellationToken.None);
        using var client = WhoAmIServer.CreateClient(_pki, _pki.Admin.Certificate);

        for (int i = 0; i < 20; i++)
        {
            using HttpResponseMessage response = await GetAsync(client, server, HttpVersion.Version20);
            Assert.StartsWith(Admin, await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(1, server.Authenticator.VerificationCount);
    }

    [Fact]
    public async Task NoCertificateIsAnonymous()
    {
        await using var server = await WhoAmIServer.StartAsync(_pki, UntrustedClientCertificatePolicy.RespondUnauthorized, CancellationToken.None);
        using var client = WhoAmIServer.CreateClient(_pki, clientCertificate: null);

        using HttpResponseMessage response = await GetAsync(client, server, HttpVersion.Version20);

        Assert.Equal("name=system:anonymous;groups=system:unauthenticated;protocol=HTTP/2", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("2.0")]
    [InlineData("1.1")]
    public async Task ForeignCertificateGets401(string version)
    {
        using var elsewhere = new TempDirectory();
        var foreign = ClusterPki.LoadOrCreate(elsewhere.Path, new ServingCertificateOptions());
        await using var server = await WhoAmIServer.StartAsync(_pki, UntrustedClientCertificatePolicy.RespondUnauthorized, CancellationToken.None);
        using var client = WhoAmIServer.CreateClient(_pki, foreign.Admin.Certificate);

        using HttpResponseMessage response = await GetAsync(client, server, Version.Parse(version));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task ServingCertificateIsNoClientCredential()
    {
        // Signed by our server CA and for server auth only: neither the CA nor the usage is right.
        await using var server = await WhoAmIServer.StartAsync(_pki, UntrustedClientCertificatePolicy.RespondUnauthorized, CancellationToken.None);
        using var client = WhoAmIServer.CreateClient(_pki, _pki.Serving.Certificate);

        using HttpResponseMessage response = await GetAsync(client, server, HttpVersion.Version20);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task RejectHandshakePolicyRefusesForeignCertificateButAdmitsOthers()
    {
        using var elsewhere = new TempDirectory();
        var foreign = ClusterPki.LoadOrCreate(elsewhere.Path, new ServingCertificateOptions());
        await using var server = await WhoAmIServer.StartAsync(_pki, UntrustedClientCertificatePolicy.RejectHandshake, CancellationToken.None);
        using var foreignClient = WhoAmIServer.CreateClient(_pki, foreign.Admin.Certificate);
        using var adminClient = WhoAmIServer.CreateClient(_pki, _pki.Admin.Certificate);
        using var anonymousClient = WhoAmIServer.CreateClient(_pki, clientCertificate: null);

        await Assert.ThrowsAsync<HttpRequestException>(() => GetAsync(foreignClient, server, HttpVersion.Version20));
        using HttpResponseMessage admin = await GetAsync(adminClient, server, HttpVersion.Version20);
        using HttpResponseMessage anonymous = await GetAsync(anonymousClient, server, HttpVersion.Version20);

        Assert.StartsWith(Admin, await admin.Content.ReadAsStringAsync());
        Assert.StartsWith("name=system:anonymous;", await anonymous.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ClientTrustingOnlyAForeignCaRefusesTheServer()
    {
        using var elsewhere = new TempDirectory();
        var foreign = ClusterPki.LoadOrCreate(elsewhere.Path, new ServingCertificateOptions());
        await using var server = await WhoAmIServer.StartAsync(_pki, UntrustedClientCertificatePolicy.RespondUnauthorized, CancellationToken.None);
        using var client = WhoAmIServer.CreateClient(foreign, _pki.Admin.Certificate);

        await Assert.ThrowsAsync<HttpRequestException>(() => GetAsync(client, server, HttpVersion.Version20));
    }

    [Fact]
    public async Task RealKubectlAuthenticatesWithTheWrittenKubeconfig()
    {
        await using var server = await WhoAmIServer.StartAsync(_pki, UntrustedClientCertificatePolicy.RespondUnauthorized, CancellationToken.None);
        string kubeconfig = _temp.Combine("skiff.yaml");
        KubeconfigWriter.WriteAdmin(kubeconfig, $"https://127.0.0.1:{server.BaseAddress.Port}", _pki);

        var (exitCode, stdout, stderr) = await Kubectl.RunAsync(
            ["--kubeconfig", kubeconfig, "get", "--raw", "/whoami"], _temp.Path, CancellationToken.None);

        Assert.True(exitCode == 0, $"kubectl failed ({exitCode}): {stderr}");
        // client-go negotiates HTTP/2 through ALPN when the server offers it.
        Assert.Equal($"{Admin};protocol=HTTP/2", stdout.Trim());
    }

    [Fact]
    public async Task RealKubectlWithForeignCertificateIsToldUnauthorized()
    {
        using var elsewhere = new TempDirectory();
        var foreign = ClusterPki.LoadOrCreate(elsewhere.Path, new ServingCertificateOptions());
        await using var server = await WhoAmIServer.StartAsync(_pki, UntrustedClientCertificatePolicy.RespondUnauthorized, CancellationToken.None);
        string kubeconfig = _temp.Combine("foreign.yaml");
        KubeconfigWriter.Write(kubeconfig, $"https://127.0.0.1:{server.BaseAddress.Port}",
            _pki.ServerCa.CertificatePem, foreign.Admin.CertificatePem, foreign.Admin.KeyPem);

        var (exitCode, _, stderr) = await Kubectl.RunAsync(
            ["--kubeconfig", kubeconfig, "get", "--raw", "/whoami"], _temp.Path, CancellationToken.None);

        // Go sends the certificate (no acceptable-CA list narrows its choice) and gets an HTTP answer, not a TLS alert.
        Assert.NotEqual(0, exitCode);
        Assert.Contains("You must be logged in to the server", stderr); // kubectl's wording for a 401
    }

    private static Task<HttpResponseMessage> GetAsync(HttpClient client, WhoAmIServer server, Version version) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseAddress, "/whoami"))
        {
            Version = version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });
}
