namespace Skiff.ApiServer.Kubelet;

/// <summary>
/// How the API server calls kubelets (upstream's --kubelet-client-certificate/-key and
/// --kubelet-certificate-authority): its client certificate (k3s: client-kube-apiserver, CN
/// system:kube-apiserver) and the CA the kubelets' serving certificates chain to.
/// </summary>
public sealed record KubeletClientOptions(string CertificatePem, string KeyPem, string CaPem);
