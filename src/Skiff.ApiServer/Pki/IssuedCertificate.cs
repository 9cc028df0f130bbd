using System.Security.Cryptography.X509Certificates;

namespace Skiff.ApiServer.Pki;

/// <summary>
/// A leaf certificate and its private key, as PEM text and as an <see cref="X509Certificate2"/>
/// that carries the key. Immutable; safe to share between threads.
/// </summary>
public sealed class IssuedCertificate
{
    internal IssuedCertificate(string certificatePath, string keyPath, string certificatePem, string keyPem, bool reused)
    {
        CertificatePath = certificatePath;
        KeyPath = keyPath;
        CertificatePem = certificatePem;
        KeyPem = keyPem;
        Reused = reused;
        Certificate = PemCertificates.LoadWithKey(certificatePem, keyPem);
    }

    public string CertificatePath { get; }

    public string KeyPath { get; }

    public string CertificatePem { get; }

    /// <summary>The private key (SEC1 "EC PRIVATE KEY" PEM). Secret.</summary>
    public string KeyPem { get; }

    /// <summary>
    /// The certificate with its private key, loaded through PKCS#12 so the key is a normal
    /// persisted-in-memory key that SslStream/Kestrel can use (not an ephemeral handle).
    /// </summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>True when the files on disk were good enough and were kept; false when they were (re)issued now.</summary>
    public bool Reused { get; }
}
