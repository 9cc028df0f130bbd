using System.Net;
using System.Net.NetworkInformation;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Runtime.Versioning;
using Skiff.ApiServer.Pki;

namespace Skiff.ApiServer.Tests.Pki;

[UnsupportedOSPlatform("windows")] // asserts unix file modes
public sealed class ClusterPkiTests : IDisposable
{
    private static readonly string[] AllFiles =
    [
        "server-ca.crt", "server-ca.key", "client-ca.crt", "client-ca.key",
        "serving-kube-apiserver.crt", "serving-kube-apiserver.key", "client-admin.crt", "client-admin.key",
    ];

    private readonly TempDirectory _temp = new();

    private string TlsDir => _temp.Combine("server", "tls");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void FirstCallCreatesEveryFile()
    {
        var pki = ClusterPki.LoadOrCreate(TlsDir, new ServingCertificateOptions());

        foreach (string file in AllFiles)
        {
            Assert.True(File.Exists(Path.Combine(TlsDir, file)), $"{file} missing");
        }
        Assert.True(pki.ServerCa.Created);
        Assert.True(pki.ClientCa.Created);
        Assert.False(pki.Serving.Reused);
        Assert.False(pki.Admin.Reused);
        Assert.NotEqual(pki.ServerCa.Certificate.Thumbprint, pki.ClientCa.Certificate.Thumbprint);
        Assert.Equal(File.ReadAllText(Path.Combine(TlsDir, "server-ca.crt")), pki.ServerCa.CertificatePem);
    }

    [Fact]
    public void SecondCallReusesEverythingByteForByte()
    {
        ClusterPki.LoadOrCreate(TlsDir, new ServingCertificateOptions());
        Dictionary<string, byte[]> before = AllFiles.ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(TlsDir, f)));

        var again = ClusterPki.LoadOrCreate(TlsDir, new ServingCertificateOptions());

        foreach (string file in AllFiles)
        {
            Assert.Equal(before[file], File.ReadAllBytes(Path.Combine(TlsDir, file)));
        }
        Assert.False(again.ServerCa.Created);
        Assert.False(again.ClientCa.Created);
        Assert.True(again.Serving.Reused);
        Assert.True(again.Admin.Reused);
        Assert.Empty(Directory.GetFiles(TlsDir, "*.tmp"));
    }

    [Fact]
    public void NewTlsSanReissuesServingCertificateWithSameCa()
    {
        var first = ClusterPki.LoadOrCreate(TlsDir, new ServingCertificateOptions());
        byte[] serverCa = File.ReadAllBytes(Path.Combine(TlsDir, "server-ca.crt"));
        byte[] serverCaKey = File.ReadAllBytes(Path.Combine(TlsDir, "server-ca.key"));
        byte[] admin = File.ReadAllBytes(Path.Combine(TlsDir, "client-admin.crt"));

        var second = ClusterPki.LoadOrCreate(TlsDir, new ServingCertificateOptions { ExtraSans = ["skiff.example.test", "192.0.2.10", "[2001:db8::7]"] });

        Assert.False(second.Serving.Reused);
        Assert.NotEqual(first.Serving.Certificate.Thumbprint, second.Serving.Certificate.Thumbprint);
        Assert.Equal(serverCa, File.ReadAllBytes(Path.Combine(TlsDir, "server-ca.crt")));
        Assert.Equal(serverCaKey, File.ReadAllBytes(Path.Combine(TlsDir, "server-ca.key")));
        Assert.Equal(admin, File.ReadAllBytes(Path.Combine(TlsDir, "client-admin.crt")));
        Assert.True(second.ServerCa.Signed(second.Serving.Certificate, DateTimeOffset.UtcNow));

        var names = SubjectAlternativeNames.Of(second.Serving.Certificate);
        Assert.True(names.ContainsDnsName("skiff.example.test"));
        Assert.True(names.ContainsAddress(IPAddress.Parse("192.0.2.10")));
        Assert.True(names.ContainsAddress(IPAddress.Parse("2001:db8::7")));
        Assert.True(names.Covers(SubjectAlternativeNames.Of(first.Serving.Certificate)), "re-issue dropped names");

        // Dropping the flag again is covered by the wider certificate: no churn.
        var third = ClusterPki.LoadOrCreate(TlsDir, new ServingCertificateOptions());
        Assert.True(third.Serving.Reused);
    }

    [Fact]
    public void ServingCertificateCoversPromisedNames()
    {
        var pki = ClusterPki.LoadOrCreate(TlsDir, ServingCertificateOptions.ForServiceCidr("10.96.0.0/12", ["api.skiff.test"]));

        var names = SubjectAlternativeNames.Of(pki.Serving.Certificate);
        foreach (string dns in new[] { "localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "api.skiff.test", Dns.GetHostName() })
        {
            Assert.True(names.ContainsDnsName(dns), $"missing DNS SAN {dns} in {names}");
        }
        foreach (string ip in new[] { "127.0.0.1", "::1", "10.96.0.1" })
        {
            Assert.True(names.ContainsAddress(IPAddress.Parse(ip)), $"missing IP SAN {ip} in {names}");
        }
        foreach (IPAddress local in NetworkInterface.GetAllNetworkInterfaces()
                     .Where(n => n.OperationalStatus != OperationalStatus.Down)
                     .SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(u => u.Address))
        {
            Assert.True(names.ContainsAddress(local), $"missing interface address {local} in {names}");
        }
        Assert.False(names.ContainsAddress(IPAddress.Parse("10.43.0.1")), "default service IP used despite another CIDR");
        Assert.Contains(pki.Serving.Certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>(),
            o => o.Value == "1.3.6.1.5.5.7.3.1");
    }

    [Fact]
    public void DefaultServiceIpIsFirstAddressOfDefaultCidr()
    {
        var names = SubjectAlternativeNames.Of(ClusterPki.LoadOrCreate(TlsDir, new ServingCertificateOptions()).Serving.Certificate);
        Assert.True(names.ContainsAddress(IPAddress.Parse("10.43.0.1")));
    }

    [Theory]
    [InlineData("10.43.0.0/16", "10.43.0.1")]
    [InlineData("10.96.0.0/12", "10.96.0.1")]
    [InlineData("fd00:43::/112", "fd00:43::1")]
    public void FirstAddressOfCidr(string cidr, string expected) =>
        Assert.Equal(IPAddress.Parse(expected), ServingCertificateOptions.FirstAddress(cidr));

    [Fact]
    public void AdminCertificateChainsToClientCaAsSystemMasters()
    {
        var pki = ClusterPki.LoadOrCreate(TlsDir, new ServingCertificateOptions());
        X509Certificate2 admin = pki.Admin.Certificate;

        Assert.True(admin.HasPrivateKey);
        Assert.True(pki.ClientCa.Signed(admin, DateTimeOffset.UtcNow));
        Assert.False(pki.ServerCa.Signed(admin, DateTimeOffset.UtcNow), "admin must not be signed by the server CA");
        Assert.Equal("system:admin", CertificateSubject.CommonName(admin.SubjectName));
        Assert.Equal(["system:masters"], CertificateSubject.Organizations(admin.SubjectName));
        Assert.Contains(admin.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>(),
            o => o.Value == "1.3.6.1.5.5.7.3.2");
    }

    [Fact]
    public void KeysAreP256AndLifetimesMatchK3s()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero));
        var pki = ClusterPki.LoadOrCreate(TlsDir, new ServingCertificateOptions(), clock);

        foreach (X509Certificate2 certificate in new[] { pki.ServerCa.Certificate, pki.ClientCa.Certificate, pki.Serving.Certificate, pki.Admin.Certificate })
        {
            using ECDsa? key = certificate.GetECDsaPublicKey();
            Assert.NotNull(key);
            Assert.Equal(256, key.KeySize);
        }
        Assert.Equal(3650, (pki.ServerCa.Certificate.NotAfter.ToUniversalTime() - clock.Now.UtcDateTime).TotalDays, 0.01);
        Assert.Equal(365, (pki.Serving.Certificate.NotAfter.ToUniversalTime() - clock.Now.UtcDateTime).TotalDays, 0.01);
        Assert.True(pki.ServerCa.Certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.False(pki.Serving.Certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Contains("-----BEGIN EC PRIVATE KEY-----", File.ReadAllText(Path.Combine(TlsDir, "serving-kube-apiserver.key")));
    }

    [Fact]
    public void LeavesCloseToExpiryAreRenewedButCasAreNot()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var first = ClusterPki.LoadOrCreate(TlsDir, new ServingCertificateOptions(), clock);

        clock.Now += TimeSpan.FromDays(200);
        var stillFresh = ClusterPki.LoadOrCreate(TlsDir, new ServingCertificateOptions(), clock);
        Assert.True(stillFresh.Serving.Reused);
        Assert.True(stillFresh.Admin.Reused);

        clock.Now += TimeSpan.FromDays(100); // 65 days left
        var renewed = ClusterPki.LoadOrCreate(TlsDir, new ServingCertificateOptions(), clock);
        Assert.False(renewed.Serving.Reused);
        Assert.False(renewed.Admin.Reused);
        Assert.False(renewed.ServerCa.Created);
        Assert.Equal(first.ServerCa.Certificate.Thumbprint, renewed.ServerCa.Certificate.Thumbprint);
        Assert.Equal(first.ClientCa.Certificate.Thumbprint, renewed.ClientCa.Certificate.Thumbprint);
        Assert.True(renewed.Serving.Certificate.NotAfter.ToUniversalTime() > (clock.Now + TimeSpan.FromDays(364)).UtcDateTime);
    }

    [Fact]
    public void ForeignServingCertificateIsReplaced()
    {
        using var other = new TempDirectory();
        var foreign = ClusterPki.LoadOrCreate(other.Path, new ServingCertificateOptions());
        var pki = ClusterPki.LoadOrCreate(TlsDir, new ServingCertificateOptions());
        File.Copy(foreign.Serving.CertificatePath, pki.Serving.CertificatePath, overwrite: true);
        File.Copy(foreign.Serving.KeyPath, pki.Serving.KeyPath, overwrite: true);

        var again = ClusterPki.LoadOrCreate(TlsDir, new ServingCertificateOptions());

        Assert.False(again.Serving.Reused);
        Assert.True(again.ServerCa.Signed(again.Serving.Certificate, DateTimeOffset.UtcNow));
    }

    [Fact]
    public void CaCertificateWithoutKeyIsAnErrorNotARegeneration()
    {
        ClusterPki.LoadOrCreate(TlsDir, new ServingCertificateOptions());
        byte[] ca = File.ReadAllBytes(Path.Combine(TlsDir, "client-ca.crt"));
        File.Delete(Path.Combine(TlsDir, "client-ca.key"));

        var error = Assert.Throws<InvalidOperationException>(() => ClusterPki.LoadOrCreate(TlsDir, new ServingCertificateOptions()));

        Assert.Contains("client-ca", error.Message);
        Assert.Equal(ca, File.ReadAllBytes(Path.Combine(TlsDir, "client-ca.crt")));
    }

    [Fact]
    public void LoneCaKeyFromInterruptedCreationIsReplaced()
    {
        Directory.CreateDirectory(TlsDir);
        File.WriteAllText(Path.Combine(TlsDir, "server-ca.key"), "left over");

        var pki = ClusterPki.LoadOrCreate(TlsDir, new ServingCertificateOptions());

        Assert.True(pki.ServerCa.Created);
        Assert.True(pki.ServerCa.Signed(pki.Serving.Certificate, DateTimeOffset.UtcNow));
    }

    [Fact]
    public void SecretsArePrivateAndCertificatesPublic()
    {
        ClusterPki.LoadOrCreate(TlsDir, new ServingCertificateOptions());
        // Renewal rewrites files; the modes must survive that too.
        ClusterPki.LoadOrCreate(TlsDir, new ServingCertificateOptions { ExtraSans = ["renew.example.test"] });

        foreach (string key in Directory.GetFiles(TlsDir, "*.key"))
        {
            Assert.Equal(FileModes.Private, File.GetUnixFileMode(key));
        }
        foreach (string certificate in Directory.GetFiles(TlsDir, "*.crt"))
        {
            Assert.Equal(FileModes.Public, File.GetUnixFileMode(certificate));
        }
        Assert.Equal(FileModes.PrivateDirectory, File.GetUnixFileMode(TlsDir));
        Assert.Equal(4, Directory.GetFiles(TlsDir, "*.key").Length);
    }

    [Fact]
    public void IssuedClientCertificateIsReusedUntilItsGroupsChange()
    {
        var pki = ClusterPki.LoadOrCreate(TlsDir, new ServingCertificateOptions());

        var first = pki.IssueClientCertificate("system:kube-scheduler", [], "client-scheduler");
        var second = pki.IssueClientCertificate("system:kube-scheduler", [], "client-scheduler");
        var regrouped = pki.IssueClientCertificate("system:kube-scheduler", ["system:nodes"], "client-scheduler");

        Assert.False(first.Reused);
        Assert.True(second.Reused);
        Assert.Equal(first.CertificatePem, second.CertificatePem);
        Assert.False(regrouped.Reused);
        Assert.Equal(["system:nodes"], CertificateSubject.Organizations(regrouped.Certificate.SubjectName));
        Assert.True(pki.ClientCa.Signed(regrouped.Certificate, DateTimeOffset.UtcNow));
        Assert.Equal(Path.Combine(TlsDir, "client-scheduler.crt"), regrouped.CertificatePath);
        Assert.Equal(regrouped.CertificatePem, File.ReadAllText(regrouped.CertificatePath));
        Assert.Throws<ArgumentException>(() => pki.IssueClientCertificate("x", [], "../escape"));
    }
}
