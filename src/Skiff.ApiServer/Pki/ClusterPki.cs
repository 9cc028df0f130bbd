using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Skiff.ApiServer.Pki;

/// <summary>
/// The cluster's certificates under one directory (<c>&lt;data-dir&gt;/server/tls</c>), laid out as k3s does:
/// <list type="bullet">
/// <item><c>server-ca.crt/.key</c>: signs serving certificates; clients trust it (kubeconfig certificate-authority-data).</item>
/// <item><c>client-ca.crt/.key</c>: signs client certificates; the API server trusts it for authentication.</item>
/// <item><c>serving-kube-apiserver.crt/.key</c>: the API server's TLS certificate.</item>
/// <item><c>client-admin.crt/.key</c>: CN=system:admin, O=system:masters, for the admin kubeconfig.</item>
/// </list>
/// Thread-safety: the properties are fixed after <see cref="LoadOrCreate"/>; <see cref="IssueClientCertificate"/>
/// may be called concurrently (calls are serialized). Two processes must not share one directory.
/// </summary>
public sealed class ClusterPki
{
    /// <summary>Leaf certificates this close to expiry are re-issued on load, as k3s does on every start.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(90);

    public const string ServingFileBaseName = "serving-kube-apiserver";
    public const string AdminFileBaseName = "client-admin";
    public const string AdminUser = "system:admin";
    public const string MastersGroup = "system:masters";

    private readonly TimeProvider _clock;
    private readonly Lock _issueLock = new();

    private ClusterPki(string tlsDirectory, TimeProvider clock, CertificateAuthority serverCa, CertificateAuthority clientCa)
    {
        TlsDirectory = tlsDirectory;
        _clock = clock;
        ServerCa = serverCa;
        ClientCa = clientCa;
    }

    public string TlsDirectory { get; }

    /// <summary>Signs the serving certificate; clients verify the API server against it.</summary>
    public CertificateAuthority ServerCa { get; }

    /// <summary>Signs client certificates; the API server authenticates clients against it.</summary>
    public CertificateAuthority ClientCa { get; }

    /// <summary>The API server's serving certificate with its key, ready for Kestrel.</summary>
    public IssuedCertificate Serving { get; private set; } = null!;

    /// <summary>The admin client certificate (CN=system:admin, O=system:masters).</summary>
    public IssuedCertificate Admin { get; private set; } = null!;

    /// <summary>
    /// Loads the PKI in <paramref name="tlsDirectory"/>, creating what is missing. CAs are never
    /// replaced. The serving certificate is re-issued (by the same CA) when it does not cover every
    /// name <paramref name="options"/> wants, expires within <see cref="RenewBefore"/>, or was not
    /// signed by the server CA; the admin certificate likewise when expiring or foreign.
    /// </summary>
    /// <param name="clock">Time source for issuing and expiry checks; the system clock when null.</param>
    public static ClusterPki LoadOrCreate(string tlsDirectory, ServingCertificateOptions options, TimeProvider? clock = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(tlsDirectory);
        ArgumentNullException.ThrowIfNull(options);
        clock ??= TimeProvider.System;
        string directory = Path.GetFullPath(tlsDirectory);
        CreatePrivateDirectory(directory);

        var serverCa = CertificateAuthority.LoadOrCreate(directory, "server-ca", "skiff-server-ca", clock);
        var clientCa = CertificateAuthority.LoadOrCreate(directory, "client-ca", "skiff-client-ca", clock);
        var pki = new ClusterPki(directory, clock, serverCa, clientCa);
        pki.Serving = pki.LoadOrIssueServing(SubjectAlternativeNames.Wanted(options));
        pki.Admin = pki.IssueClientCertificate(AdminUser, [MastersGroup], AdminFileBaseName);
        return pki;
    }

    /// <summary>
    /// Returns a client certificate for <paramref name="commonName"/> in <paramref name="organizations"/>,
    /// kept as <c>&lt;fileBaseName&gt;.crt/.key</c>. An existing pair is reused when it names the same
    /// user and groups, was signed by the client CA and is not close to expiry; otherwise it is replaced.
    /// </summary>
    public IssuedCertificate IssueClientCertificate(string commonName, IEnumerable<string> organizations, string fileBaseName)
    {
        ArgumentException.ThrowIfNullOrEmpty(commonName);
        ArgumentException.ThrowIfNullOrEmpty(fileBaseName);
        if (fileBaseName.IndexOfAny(['/', '\\']) >= 0 || fileBaseName.StartsWith('.'))
        {
            throw new ArgumentException("file base name must be a plain file name", nameof(fileBaseName));
        }
        string[] groups = organizations.ToArray();
        var request = new LeafRequest(commonName, groups, LeafUsage.ClientAuth);
        lock (_issueLock)
        {
            return LoadOrIssue(
                ClientCa,
                fileBaseName,
                stillFits: existing =>
                    CertificateSubject.CommonName(existing.SubjectName) == commonName &&
                    CertificateSubject.Organizations(existing.SubjectName).Order(StringComparer.Ordinal)
                        .SequenceEqual(groups.Order(StringComparer.Ordinal), StringComparer.Ordinal),
                newRequest: _ => request);
        }
    }

    /// <summary>The API server's identity towards kubelets (k3s: client-kube-apiserver).</summary>
    public const string KubeletClientUser = "system:kube-apiserver";
    public const string KubeletClientFileBaseName = "client-kube-apiserver";
    public const string KubeletServingFileBaseName = "serving-kubelet";

    /// <summary>
    /// The kubelet's serving certificate (k3s: serving-kubelet.crt), signed by the server CA so the API
    /// server can verify it, for the node's name, localhost and <paramref name="addresses"/>. Re-issued when a
    /// name is missing or it nears expiry; the names it had are kept.
    /// </summary>
    public IssuedCertificate IssueKubeletServingCertificate(string nodeName, IEnumerable<System.Net.IPAddress> addresses)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeName);
        var wanted = SubjectAlternativeNames.For([nodeName, "localhost"], [System.Net.IPAddress.Loopback, .. addresses]);
        lock (_issueLock)
        {
            return LoadOrIssue(ServerCa, KubeletServingFileBaseName,
                stillFits: existing => SubjectAlternativeNames.Of(existing).Covers(wanted),
                newRequest: existing => new LeafRequest(nodeName, [], LeafUsage.ServerAuth,
                    existing is null ? wanted : SubjectAlternativeNames.Of(existing).Union(wanted)));
        }
    }

    /// <summary>
    /// A joining node's two identities, issued in memory and handed to the agent (the server keeps no copy):
    /// its client certificate (CN=system:node:&lt;node&gt;, O=system:nodes) and its kubelet serving certificate
    /// (server CA; the node's name, localhost and <paramref name="addresses"/>).
    /// </summary>
    public ((string CertificatePem, string KeyPem) Client, (string CertificatePem, string KeyPem) Serving) IssueNodeCredentials(
        string nodeName, IEnumerable<System.Net.IPAddress> addresses)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeName);
        var names = SubjectAlternativeNames.For([nodeName, "localhost"], [System.Net.IPAddress.Loopback, .. addresses]);
        lock (_issueLock)
        {
            var client = ClientCa.Issue(new LeafRequest("system:node:" + nodeName, ["system:nodes"], LeafUsage.ClientAuth), _clock);
            var serving = ServerCa.Issue(new LeafRequest(nodeName, [], LeafUsage.ServerAuth, names), _clock);
            return (client, serving);
        }
    }

    private IssuedCertificate LoadOrIssueServing(SubjectAlternativeNames wanted) =>
        LoadOrIssue(
            ServerCa,
            ServingFileBaseName,
            stillFits: existing => SubjectAlternativeNames.Of(existing).Covers(wanted),
            // Keep the names the old certificate had: a client may still use an address that is down right now.
            newRequest: existing => new LeafRequest(
                "kube-apiserver", [], LeafUsage.ServerAuth,
                existing is null ? wanted : SubjectAlternativeNames.Of(existing).Union(wanted)));

    /// <summary>
    /// Keeps the pair at <paramref name="fileBaseName"/> when it is ours, fresh and still fits; otherwise
    /// issues a new one. <paramref name="newRequest"/> gets the old certificate when it was signed by <paramref name="ca"/>.
    /// </summary>
    private IssuedCertificate LoadOrIssue(
        CertificateAuthority ca,
        string fileBaseName,
        Func<X509Certificate2, bool> stillFits,
        Func<X509Certificate2?, LeafRequest> newRequest)
    {
        string certificatePath = Path.Combine(TlsDirectory, fileBaseName + ".crt");
        string keyPath = Path.Combine(TlsDirectory, fileBaseName + ".key");
        DateTimeOffset now = _clock.GetUtcNow();
        using X509Certificate2? existing = TryLoadOwn(ca, certificatePath, keyPath, now, out string certificatePem, out string keyPem);
        if (existing is not null
            && existing.NotAfter.ToUniversalTime() > (now + RenewBefore).UtcDateTime
            && stillFits(existing))
        {
            return new IssuedCertificate(certificatePath, keyPath, certificatePem, keyPem, reused: true);
        }

        (certificatePem, keyPem) = ca.Issue(newRequest(existing), _clock);
        AtomicFile.WriteAllText(keyPath, keyPem, FileModes.Private);
        AtomicFile.WriteAllText(certificatePath, certificatePem, FileModes.Public);
        return new IssuedCertificate(certificatePath, keyPath, certificatePem, keyPem, reused: false);
    }

    /// <summary>The pair on disk when both files exist, match each other and chain to <paramref name="ca"/>; else null.</summary>
    private static X509Certificate2? TryLoadOwn(
        CertificateAuthority ca, string certificatePath, string keyPath, DateTimeOffset now, out string certificatePem, out string keyPem)
    {
        if (!PemCertificates.TryReadPair(certificatePath, keyPath, out certificatePem, out keyPem))
        {
            return null;
        }
        X509Certificate2 existing;
        try
        {
            // Also proves the key belongs to the certificate.
            existing = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        }
        catch (CryptographicException)
        {
            return null;
        }
        if (!ca.Signed(existing, now))
        {
            existing.Dispose();
            return null;
        }
        return existing;
    }

    private static void CreatePrivateDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else if (!Directory.Exists(directory))
        {
            // CA keys live here: nobody but the server's user has business listing it.
            Directory.CreateDirectory(directory, FileModes.PrivateDirectory);
        }
    }
}
