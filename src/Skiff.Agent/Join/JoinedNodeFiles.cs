using System.Security.Cryptography;
using System.Text;
using Skiff.Api.Join;

namespace Skiff.Agent.Join;

/// <summary>
/// What a joined agent keeps under <c>&lt;data-dir&gt;/agent</c>: its node password (made once, 0600; the server binds
/// the node name to it), and the credentials of its last join in <c>tls/</c> (certificates 0644, keys 0600) with a
/// <c>kubelet.kubeconfig</c> for looking at the cluster as the node does. Writes are atomic (temp file, then rename).
/// </summary>
public sealed class JoinedNodeFiles(AgentPaths paths)
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Public = Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

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
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        Write(NodePasswordPath, password + "\n", Private);
        return password;
    }

    public void Save(NodeJoinResponse credentials, Uri server)
    {
        Write(Path.Combine(TlsDir, "server-ca.crt"), credentials.ServerCaPem, Public);
        Write(Path.Combine(TlsDir, "client-ca.crt"), credentials.ClientCaPem, Public);
        Write(Path.Combine(TlsDir, "client-kubelet.key"), credentials.ClientKeyPem, Private);
        Write(Path.Combine(TlsDir, "client-kubelet.crt"), credentials.ClientCertificatePem, Public);
        Write(Path.Combine(TlsDir, "serving-kubelet.key"), credentials.ServingKeyPem, Private);
        Write(Path.Combine(TlsDir, "serving-kubelet.crt"), credentials.ServingCertificatePem, Public);
        Write(KubeconfigPath, Kubeconfig(server, credentials), Private);
    }

    private static string Kubeconfig(Uri server, NodeJoinResponse c)
    {
        static string B64(string pem) => Convert.ToBase64String(Encoding.UTF8.GetBytes(pem));
        return $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: skiff
              cluster:
                server: {server.ToString().TrimEnd('/')}
                certificate-authority-data: {B64(c.ServerCaPem)}
            users:
            - name: node
              user:
                client-certificate-data: {B64(c.ClientCertificatePem)}
                client-key-data: {B64(c.ClientKeyPem)}
            contexts:
            - name: skiff
              context:
                cluster: skiff
                user: node
            current-context: skiff

            """;
    }

    private static void Write(string path, string content, UnixFileMode mode)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        using (var stream = new FileStream(temp, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode }))
        {
            stream.Write(Encoding.UTF8.GetBytes(content));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }
}
