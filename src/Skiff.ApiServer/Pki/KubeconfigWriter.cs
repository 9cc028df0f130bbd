using System.Text;

namespace Skiff.ApiServer.Pki;

/// <summary>
/// Writes an admin kubeconfig the way k3s does (<c>--write-kubeconfig</c>, <c>--write-kubeconfig-mode</c>):
/// one cluster, user and context, all named <c>default</c>, with certificates embedded as base64 data
/// so the file works when copied to another machine. Stateless; safe to call from any thread.
/// </summary>
public static class KubeconfigWriter
{
    /// <summary>The mode used when the caller gives none: the file carries an admin key.</summary>
    public const string DefaultMode = "0600";

    /// <summary>Writes a kubeconfig for <paramref name="pki"/>'s admin user.</summary>
    /// <param name="mode">Octal file mode as text ("0644"); <see cref="DefaultMode"/> when null or empty.</param>
    public static void WriteAdmin(string path, string serverUrl, ClusterPki pki, string? mode = null) =>
        Write(path, serverUrl, pki.ServerCa.CertificatePem, pki.Admin.CertificatePem, pki.Admin.KeyPem, mode);

    /// <summary>
    /// Atomically writes (temp file + rename) a kubeconfig to <paramref name="path"/>, creating the
    /// parent directory; readers never see a partial file.
    /// </summary>
    /// <exception cref="FormatException"><paramref name="mode"/> is not an octal mode.</exception>
    public static void Write(string path, string serverUrl, string certificateAuthorityPem, string clientCertificatePem, string clientKeyPem, string? mode = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(serverUrl);
        UnixFileMode fileMode = FileModes.ParseOctal(string.IsNullOrWhiteSpace(mode) ? DefaultMode : mode);
        AtomicFile.WriteAllText(path, Render(serverUrl, certificateAuthorityPem, clientCertificatePem, clientKeyPem), fileMode);
    }

    /// <summary>The kubeconfig YAML text.</summary>
    public static string Render(string serverUrl, string certificateAuthorityPem, string clientCertificatePem, string clientKeyPem)
    {
        // Base64 text is a plain YAML scalar; the URL is quoted so characters like ':' or '#'
        // in an unusual URL can never change the document's meaning.
        var yaml = new StringBuilder();
        yaml.Append("apiVersion: v1\n");
        yaml.Append("kind: Config\n");
        yaml.Append("clusters:\n");
        yaml.Append("- cluster:\n");
        yaml.Append("    certificate-authority-data: ").Append(Base64(certificateAuthorityPem)).Append('\n');
        yaml.Append("    server: ").Append(Quote(serverUrl)).Append('\n');
        yaml.Append("  name: default\n");
        yaml.Append("contexts:\n");
        yaml.Append("- context:\n");
        yaml.Append("    cluster: default\n");
        yaml.Append("    user: default\n");
        yaml.Append("  name: default\n");
        yaml.Append("current-context: default\n");
        yaml.Append("preferences: {}\n");
        yaml.Append("users:\n");
        yaml.Append("- name: default\n");
        yaml.Append("  user:\n");
        yaml.Append("    client-certificate-data: ").Append(Base64(clientCertificatePem)).Append('\n');
        yaml.Append("    client-key-data: ").Append(Base64(clientKeyPem)).Append('\n');
        return yaml.ToString();
    }

    private static string Base64(string pem) => Convert.ToBase64String(Encoding.UTF8.GetBytes(pem));

    /// <summary>A YAML double-quoted scalar.</summary>
    private static string Quote(string value)
    {
        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': quoted.Append("\\\""); break;
                case '\\': quoted.Append("\\\\"); break;
                case < ' ': quoted.Append($"\\x{(int)c:x2}"); break;
                default: quoted.Append(c); break;
            }
        }
        return quoted.Append('"').ToString();
    }
}
