using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Skiff.Agent.Tests.Server;

/// <summary>A throwaway server CA and client CA with leaf certificates, as the cluster PKI issues them.</summary>
internal sealed class TestPki
{
    public X509Certificate2 ServerCa { get; } = CreateCa("test-server-ca");
    public X509Certificate2 ClientCa { get; } = CreateCa("test-client-ca");

    public string ClientCaPem => ClientCa.ExportCertificatePem();

    public X509Certificate2 Serving() => Issue(ServerCa, "kubelet", server: true);

    public X509Certificate2 Client(string commonName, X509Certificate2? ca = null) => Issue(ca ?? ClientCa, commonName, server: false);

    private static X509Certificate2 CreateCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string commonName, bool server)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var sans = new SubjectAlternativeNameBuilder();
            sans.AddIpAddress(IPAddress.Loopback);
            sans.AddDnsName("localhost");
            request.CertificateExtensions.Add(sans.Build());
        }
        var serial = RandomNumberGenerator.GetBytes(12);
        using var signed = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(12), serial);
        using var withKey = signed.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
