using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Skiff.ApiServer.Pki;

/// <summary>
/// A self-signed CA kept as <c>&lt;name&gt;.crt</c>/<c>&lt;name&gt;.key</c> in a directory, and the
/// signing of leaf certificates with it. Once created a CA is never replaced: every issued
/// certificate and every kubeconfig in the field trusts it. Immutable; safe to share between threads.
/// </summary>
public sealed class CertificateAuthority
{
    /// <summary>CA lifetime, as k3s: ten years, never renewed automatically.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(3650);

    /// <summary>Leaf lifetime, as k3s: one year, renewed on start when close to expiry.</summary>
    public static readonly TimeSpan LeafLifetime = TimeSpan.FromDays(365);

    /// <summary>Clock-skew allowance: a freshly issued certificate must already be valid on a host whose clock lags.</summary>
    private static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);

    private static readonly Oid ServerAuthOid = new("1.3.6.1.5.5.7.3.1", "Server Authentication");
    private static readonly Oid ClientAuthOid = new("1.3.6.1.5.5.7.3.2", "Client Authentication");

    private readonly ECDsa _key;

    private CertificateAuthority(X509Certificate2 certificate, ECDsa key, string certificatePem, bool created)
    {
        Certificate = certificate;
        _key = key;
        CertificatePem = certificatePem;
        Created = created;
    }

    /// <summary>The CA certificate, without its private key.</summary>
    public X509Certificate2 Certificate { get; }

    public string CertificatePem { get; }

    /// <summary>True when this call generated the CA; false when it was loaded from disk.</summary>
    public bool Created { get; }

    /// <summary>Loads <c>&lt;baseName&gt;.crt/.key</c> from <paramref name="directory"/>, or creates both when neither exists.</summary>
    /// <exception cref="InvalidOperationException">The certificate exists without its key, or they do not belong together.</exception>
    public static CertificateAuthority LoadOrCreate(string directory, string baseName, string commonNamePrefix, TimeProvider clock)
    {
        string certificatePath = Path.Combine(directory, baseName + ".crt");
        string keyPath = Path.Combine(directory, baseName + ".key");
        bool hasCertificate = File.Exists(certificatePath);
        bool hasKey = File.Exists(keyPath);
        if (hasCertificate && hasKey)
        {
            return Load(certificatePath, keyPath);
        }
        if (hasCertificate)
        {
            // A CA certificate without its key cannot sign, and regenerating would silently
            // invalidate everything the old one signed; make a human decide.
            throw new InvalidOperationException(
                $"CA {baseName} is incomplete: {certificatePath} exists but {keyPath} does not; restore the key or remove both to generate a new CA");
        }
        // A lone key is what a crash during creation leaves (the key is written first); no
        // certificate was ever signed under it, so starting over loses nothing.
        return Create(certificatePath, keyPath, commonNamePrefix, clock);
    }

    /// <summary>Signs a new leaf certificate with a fresh P-256 key. Returns (certificate PEM, key PEM).</summary>
    public (string CertificatePem, string KeyPem) Issue(LeafRequest request, TimeProvider clock)
    {
        using ECDsa leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest(
            CertificateSubject.Build(request.CommonName, request.Organizations), leafKey, HashAlgorithmName.SHA256);
        csr.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        csr.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        csr.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [request.Usage == LeafUsage.ServerAuth ? ServerAuthOid : ClientAuthOid], critical: false));
        csr.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(
            Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (request.AlternativeNames is { } names)
        {
            csr.CertificateExtensions.Add(names.ToExtension());
        }

        DateTimeOffset now = clock.GetUtcNow();
        DateTimeOffset notAfter = now + LeafLifetime;
        if (notAfter > Certificate.NotAfter)
        {
            // A leaf outliving its CA would fail verification in its last stretch anyway.
            notAfter = Certificate.NotAfter;
        }
        using X509Certificate2 leaf = csr.Create(
            Certificate.SubjectName,
            X509SignatureGenerator.CreateForECDsa(_key),
            now - Backdate,
            notAfter,
            NewSerialNumber());
        return (leaf.ExportCertificatePem() + "\n", leafKey.ExportECPrivateKeyPem() + "\n");
    }

    /// <summary>
    /// True when <paramref name="certificate"/> was signed by this CA and is valid at
    /// <paramref name="at"/>. Only the CA is trusted: the system store plays no part.
    /// </summary>
    public bool Signed(X509Certificate2 certificate, DateTimeOffset at)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = at.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        return chain.Build(certificate);
    }

    private static CertificateAuthority Load(string certificatePath, string keyPath)
    {
        string certificatePem = File.ReadAllText(certificatePath);
        var certificate = PemCertificates.LoadPublic(certificatePem);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(keyPath));
        }
        catch (ArgumentException e)
        {
            key.Dispose();
            throw new InvalidOperationException($"{keyPath} holds no ECDSA private key Skiff can use", e);
        }
        using ECDsa? publicKey = certificate.GetECDsaPublicKey();
        if (publicKey is null || !publicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
        {
            key.Dispose();
            throw new InvalidOperationException($"{keyPath} is not the private key of {certificatePath}");
        }
        return new CertificateAuthority(certificate, key, certificatePem, created: false);
    }

    private static CertificateAuthority Create(string certificatePath, string keyPath, string commonNamePrefix, TimeProvider clock)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        DateTimeOffset now = clock.GetUtcNow();
        // The timestamp in the CN tells a rotated CA from the old one at a glance, as k3s does.
        var csr = new CertificateRequest($"CN={commonNamePrefix}@{now.ToUnixTimeSeconds()}", key, HashAlgorithmName.SHA256);
        csr.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, critical: true));
        csr.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, critical: true));
        csr.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(csr.PublicKey, critical: false));
        using X509Certificate2 selfSigned = csr.CreateSelfSigned(now - Backdate, now + Lifetime);
        string certificatePem = selfSigned.ExportCertificatePem() + "\n";

        // Key first: a crash between the two writes leaves a lone key, which the next start
        // safely replaces; a lone certificate would be a CA nobody can sign with.
        AtomicFile.WriteAllText(keyPath, key.ExportECPrivateKeyPem() + "\n", FileModes.Private);
        AtomicFile.WriteAllText(certificatePath, certificatePem, FileModes.Public);
        return new CertificateAuthority(PemCertificates.LoadPublic(certificatePem), key, certificatePem, created: true);
    }

    private static byte[] NewSerialNumber()
    {
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // DER integers are signed; keep it positive
        serial[0] |= 0x01; // and non-zero with no leading zero byte to strip
        return serial;
    }
}
