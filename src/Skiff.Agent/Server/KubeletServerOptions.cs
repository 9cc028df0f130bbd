using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Skiff.Agent.Server;

/// <summary>The kubelet API's listener and who may call it (k3s: serving-kubelet.crt, client-ca.crt).</summary>
public sealed record KubeletServerOptions
{
    public IPAddress BindAddress { get; init; } = IPAddress.Any;

    /// <summary>Upstream's --port; 0 picks a free port (tests).</summary>
    public int Port { get; init; } = 10250;

    /// <summary>The serving certificate with its key, issued by the cluster's server CA for the node's names and addresses.</summary>
    public required X509Certificate2 ServingCertificate { get; init; }

    /// <summary>The CA that signs client certificates (PEM): callers must present a certificate from it.</summary>
    public required string ClientCaPem { get; init; }

    /// <summary>Certificate common names allowed to call (upstream decides with a SubjectAccessReview; only the API server calls here).</summary>
    public IReadOnlySet<string> AllowedUsers { get; init; } = new HashSet<string>(StringComparer.Ordinal) { "system:kube-apiserver" };

    /// <summary>The pods served at /pods.</summary>
    public IKnownPods Pods { get; init; } = new NoKnownPods();
}
