using Skiff.ApiServer.Authentication;
using Skiff.ApiServer.Pki;
using Skiff.ApiServer.Tests.Pki;

namespace Skiff.ApiServer.Tests.Authentication;

public sealed class ClientCertificateAuthenticatorTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly ClusterPki _pki;

    public ClientCertificateAuthenticatorTests() => _pki = ClusterPki.LoadOrCreate(_temp.Combine("tls"), new ServingCertificateOptions());

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void AdminMapsToUserAndGroups()
    {
        var result = new ClientCertificateAuthenticator(_pki).Authenticate(_pki.Admin.Certificate);

        Assert.True(result.IsAuthenticated, result.ToString());
        Assert.Equal("system:admin", result.User!.Name);
        Assert.Equal(["system:masters", "system:authenticated"], result.User.Groups);
        Assert.Null(result.User.Uid);
        Assert.Empty(result.User.Extra);
    }

    [Fact]
    public void EveryOrganizationBecomesAGroup()
    {
        var node = _pki.IssueClientCertificate("system:node:n1", ["system:nodes", "team-a"], "client-node-n1");

        var result = new ClientCertificateAuthenticator(_pki).Authenticate(node.Certificate);

        Assert.Equal("system:node:n1", result.User!.Name);
        Assert.Equal(["system:nodes", "team-a", "system:authenticated"], result.User.Groups);
    }

    [Fact]
    public void NoCertificateMeansNoCredentialsAndAnonymous()
    {
        var result = new ClientCertificateAuthenticator(_pki).Authenticate((System.Security.Cryptography.X509Certificates.X509Certificate2?)null);

        Assert.False(result.IsAuthenticated);
        Assert.False(result.IsFailure);
        Assert.Same(UserInfo.Anonymous, result.UserOrAnonymous);
        Assert.Equal("system:anonymous", UserInfo.Anonymous.Name);
        Assert.Equal(["system:unauthenticated"], UserInfo.Anonymous.Groups);
    }

    [Fact]
    public void ForeignCaFailsAndIsNeverAnonymous()
    {
        using var elsewhere = new TempDirectory();
        var foreign = ClusterPki.LoadOrCreate(elsewhere.Path, new ServingCertificateOptions());

        var result = new ClientCertificateAuthenticator(_pki).Authenticate(foreign.Admin.Certificate);

        Assert.True(result.IsFailure);
        Assert.Null(result.UserOrAnonymous);
    }

    [Fact]
    public void ServerAuthOnlyCertificateFailsEvenFromTheClientCa()
    {
        // Same CA as client certificates, but issued for serving: the client-auth usage check must catch it.
        var serving = _pki.ClientCa.Issue(
            new LeafRequest("impostor", ["system:masters"], LeafUsage.ServerAuth, SubjectAlternativeNames.Wanted(new ServingCertificateOptions())),
            TimeProvider.System);
        using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(serving.CertificatePem);

        var result = new ClientCertificateAuthenticator(_pki).Authenticate(certificate);

        Assert.True(result.IsFailure, result.ToString());
    }

    [Fact]
    public void ExpiredCertificateFailsEvenWhenCachedEarlier()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var authenticator = new ClientCertificateAuthenticator(_pki, clock);
        Assert.True(authenticator.Authenticate(_pki.Admin.Certificate).IsAuthenticated);

        clock.Now += TimeSpan.FromDays(366);

        Assert.True(authenticator.Authenticate(_pki.Admin.Certificate).IsFailure);
    }

    [Fact]
    public void SameCertificateObjectIsVerifiedOnce()
    {
        var authenticator = new ClientCertificateAuthenticator(_pki);

        var first = authenticator.Authenticate(_pki.Admin.Certificate);
        var second = authenticator.Authenticate(_pki.Admin.Certificate);

        Assert.Same(first, second);
        Assert.Equal(1, authenticator.VerificationCount);
    }

    [Fact]
    public void AuthenticatedGroupIsAddedOnce()
    {
        var user = UserInfo.Authenticated("u", ["g", "system:authenticated", "g"]);
        Assert.Equal(["g", "system:authenticated"], user.Groups);
        Assert.True(user.IsInGroup("g"));
        Assert.False(user.IsAnonymous);
    }
}
