using Skiff.Api.Join;
using Skiff.ApiServer.Pki;

namespace Skiff.Agent;

/// <summary>
/// What a joined agent keeps under <c>&lt;data-dir&gt;/agent</c>: its node password (made once, 0600; the server binds
/// the node name to it), and the credentials of its last join in <c>tls/</c> (certificates 0644, keys 0600) with a
/// <c>kubelet.kubeconfig</c> for looking at the cluster as the node does. Written with the PKI's atomic writer and
/// kubeconfig writer, the same as the server's own files.
/// </summary>
public sealed class JoinedNodeFiles(AgentPaths paths)
{
    /// <summary>The files of the agent that keeps its state under <paramref name="dataDir"/>.</summary>
    public static JoinedNodeFiles In(string dataDir) => new(new AgentOptions { DataDir = dataDir }.Paths);

    public string NodePasswordPath => Path.Combine(paths.AgentDir, "node-password");
    public string TlsDir => Path.Combine(paths.AgentDir, "tls");
    public string KubeconfigPath => Path.Combine(paths.AgentDir, "kubelet.kubeconfig");

    /// <summary>The node password, made on first use.</summary>
    public string NodePassword()
    {
        if (File.Exists(NodePasswordPath))
        {
            var text = File.ReadAllText(NodePasswordPath).Trim();
            if (text.Length > 0) return text;
        }
        var password = JoinToken.NewPassword();
        AtomicFile.WriteAllText(NodePasswordPath, password + "\n", FileModes.Private);
        return password;
    }

    public void Save(NodeJoinResponse credentials, Uri server)
    {
        AtomicFile.WriteAllText(Path.Combine(TlsDir, "server-ca.crt"), credentials.ServerCaPem, FileModes.Public);
        AtomicFile.WriteAllText(Path.Combine(TlsDir, "client-ca.crt"), credentials.ClientCaPem, FileModes.Public);
        AtomicFile.WriteAllText(Path.Combine(TlsDir, "client-kubelet.key"), credentials.ClientKeyPem, FileModes.Private);
        AtomicFile.WriteAllText(Path.Combine(TlsDir, "client-kubelet.crt"), credentials.ClientCertificatePem, FileModes.Public);
        AtomicFile.WriteAllText(Path.Combine(TlsDir, "serving-kubelet.key"), credentials.ServingKeyPem, FileModes.Private);
        AtomicFile.WriteAllText(Path.Combine(TlsDir, "serving-kubelet.crt"), credentials.ServingCertificatePem, FileModes.Public);
        KubeconfigWriter.Write(KubeconfigPath, server.ToString().TrimEnd('/'), credentials.ServerCaPem,
            credentials.ClientCertificatePem, credentials.ClientKeyPem);
    }
}
