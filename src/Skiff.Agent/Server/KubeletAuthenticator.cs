using System.Security.Cryptography.X509Certificates;

namespace Skiff.Agent.Server;

/// <summary>
/// Decides whether a TLS client may use the kubelet API: its certificate must chain to the client CA
/// (401 otherwise) and name an allowed user (403 otherwise). Results are cached per certificate thumbprint.
/// Thread-safe.
/// </summary>
public sealed class KubeletAuthenticator
{
    private readonly X509Certificate2Collection _roots = new();
    private readonly IReadOnlySet<string> _allowed;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (bool Trusted, string User)> _cache = new();

    public KubeletAuthenticator(string clientCaPem, IReadOnlySet<string> allowedUsers)
    {
        _roots.ImportFromPem(clientCaPem);
        _allowed = allowedUsers;
    }

    /// <summary>200 when allowed, else 401 or 403; <paramref name="user"/> is the certificate's CN when there is one.</summary>
    public int Check(X509Certificate2? certificate, out string? user)
    {
        user = null;
        if (certificate is null) return 401;
        var (trusted, name) = _cache.GetOrAdd(certificate.Thumbprint, _ => (Verify(certificate), certificate.GetNameInfo(X509NameType.SimpleName, false)));
        user = name;
        if (!trusted) return 401;
        return _allowed.Contains(name) ? 200 : 403;
    }

    private bool Verify(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2")); // clientAuth
        return chain.Build(certificate);
    }
}
