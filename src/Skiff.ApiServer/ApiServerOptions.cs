using System.Net;

namespace Skiff.ApiServer;

/// <summary>Settings of the API server role, bound from the server command's flags.</summary>
public sealed record ApiServerOptions
{
    public IPAddress BindAddress { get; init; } = IPAddress.Any;
    public int Port { get; init; } = 6443;
    /// <summary>The address clients are told to use (discovery's serverAddressByClientCIDRs).</summary>
    public string AdvertiseAddress { get; init; } = "127.0.0.1";
    public string ServiceCidr { get; init; } = "10.43.0.0/16";
    /// <summary>The NodePort range, inclusive (upstream's --service-node-port-range).</summary>
    public (int Min, int Max) NodePortRange { get; init; } = (30000, 32767);
    /// <summary>The <c>--runtime-config</c> value: extra group/versions to serve or to turn off.</summary>
    public string? RuntimeConfig { get; init; }
    /// <summary>Upstream's --max-requests-inflight: concurrent non-mutating requests before 429.</summary>
    public int MaxRequestsInflight { get; init; } = 400;
    /// <summary>Upstream's --max-mutating-requests-inflight: concurrent writes before 429.</summary>
    public int MaxMutatingRequestsInflight { get; init; } = 200;
    /// <summary>The RSA key that signs service account tokens (PEM; created when missing). Null: a key kept only in memory.</summary>
    public string? ServiceAccountKeyFile { get; init; }
    /// <summary>The issuer (iss) of service account tokens, also the default API audience (upstream's --service-account-issuer).</summary>
    public string ServiceAccountIssuer { get; init; } = Authentication.ServiceAccountTokens.DefaultIssuer;
    /// <summary>The client certificate for calling kubelets (logs, exec, port-forward, proxies); null serves none of those.</summary>
    public Kubelet.KubeletClientOptions? KubeletClient { get; init; }
    /// <summary>The token agents join with (<c>/cacerts</c>, <c>/v1-skiff/node</c>); null serves no join endpoints.</summary>
    public Skiff.Api.Join.JoinToken? JoinToken { get; init; }
}
