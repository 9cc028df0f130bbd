namespace Skiff.Client.Rest;

/// <summary>
/// Where the API server is and who this component is: the server URL, the cluster CA to trust, and the
/// component's own client certificate (or a bearer token). Load one with <see cref="KubeconfigLoader"/>.
/// Immutable record; safe to share between threads.
/// </summary>
public sealed record ClientConfig
{
    /// <summary>e.g. https://127.0.0.1:6443.</summary>
    public required Uri Server { get; init; }

    /// <summary>PEM of the CA(s) that sign the server's certificate; null trusts the machine's roots.</summary>
    public string? CertificateAuthorityPem { get; init; }

    /// <summary>PEM of the client certificate (this component's identity) and its private key.</summary>
    public string? ClientCertificatePem { get; init; }
    public string? ClientKeyPem { get; init; }

    /// <summary>A bearer token, sent when no client certificate is configured.</summary>
    public string? BearerToken { get; init; }

    /// <summary>Skip server certificate checks (kubeconfig insecure-skip-tls-verify); for tests only.</summary>
    public bool InsecureSkipTlsVerify { get; init; }

    /// <summary>The kubeconfig context's namespace, "default" when none.</summary>
    public string Namespace { get; init; } = "default";

    /// <summary>Sent as User-Agent; the API server logs it and field managers default to it.</summary>
    public string UserAgent { get; init; } = "skiff-client";

    /// <summary>Timeout of a non-watch request. Watches are bounded by their own timeoutSeconds.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
