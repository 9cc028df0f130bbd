using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Skiff.ApiServer.Pki;

/// <summary>Loading certificate/key PEM pairs into objects TLS stacks accept.</summary>
public static class PemCertificates
{
    /// <summary>
    /// Combines a certificate and key PEM into one <see cref="X509Certificate2"/> with the key.
    /// CreateFromPem gives a certificate bound to an ephemeral key, which SslStream rejects on
    /// Windows and which some code paths cannot export; a PKCS#12 round trip yields an ordinary one.
    /// </summary>
    /// <exception cref="CryptographicException">The PEM is malformed or the key does not belong to the certificate.</exception>
    public static X509Certificate2 LoadWithKey(string certificatePem, string keyPem)
    {
        using X509Certificate2 ephemeral = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        byte[] pfx = ephemeral.Export(X509ContentType.Pkcs12);
        return X509CertificateLoader.LoadPkcs12(pfx, password: null, X509KeyStorageFlags.Exportable);
    }

    /// <summary>The first certificate in <paramref name="pem"/>, without a key.</summary>
    public static X509Certificate2 LoadPublic(string pem) => X509Certificate2.CreateFromPem(pem);

    /// <summary>Reads both files, or returns false when either is missing.</summary>
    public static bool TryReadPair(string certificatePath, string keyPath, out string certificatePem, out string keyPem)
    {
        certificatePem = keyPem = "";
        if (!File.Exists(certificatePath) || !File.Exists(keyPath))
        {
            return false;
        }
        certificatePem = File.ReadAllText(certificatePath);
        keyPem = File.ReadAllText(keyPath);
        return true;
    }
}
