using System.Text;
using YamlDotNet.RepresentationModel;

namespace Skiff.Client.Rest;

/// <summary>
/// Reads a kubeconfig file (the one <c>skiff server --write-kubeconfig</c> writes, or any kubectl one)
/// into a <see cref="ClientConfig"/>: the current (or named) context's cluster and user, with inline
/// <c>*-data</c> fields or file paths relative to the kubeconfig. Stateless; safe from any thread.
/// </summary>
public static class KubeconfigLoader
{
    public static ClientConfig LoadFile(string path, string? context = null)
    {
        var text = File.ReadAllText(path);
        return Load(text, Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", context);
    }

    /// <param name="baseDirectory">Where relative file paths in the kubeconfig are resolved.</param>
    public static ClientConfig Load(string yaml, string baseDirectory, string? context = null)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new FormatException("kubeconfig: not a YAML mapping");

        var contextName = context ?? Scalar(root, "current-context")
            ?? throw new FormatException("kubeconfig: no current-context and no context given");
        var ctx = Named(root, "contexts", contextName, "context")
            ?? throw new FormatException($"kubeconfig: context \"{contextName}\" not found");
        var clusterName = Scalar(ctx, "cluster") ?? throw new FormatException("kubeconfig: context has no cluster");
        var cluster = Named(root, "clusters", clusterName, "cluster")
            ?? throw new FormatException($"kubeconfig: cluster \"{clusterName}\" not found");
        var userName = Scalar(ctx, "user");
        var user = userName is null ? null : Named(root, "users", userName, "user");

        var server = Scalar(cluster, "server") ?? throw new FormatException("kubeconfig: cluster has no server");
        return new ClientConfig
        {
            Server = new Uri(server),
            CertificateAuthorityPem = DataOrFile(cluster, "certificate-authority", baseDirectory),
            InsecureSkipTlsVerify = Scalar(cluster, "insecure-skip-tls-verify") == "true",
            ClientCertificatePem = user is null ? null : DataOrFile(user, "client-certificate", baseDirectory),
            ClientKeyPem = user is null ? null : DataOrFile(user, "client-key", baseDirectory),
            BearerToken = user is null ? null : Scalar(user, "token"),
            Namespace = Scalar(ctx, "namespace") is { Length: > 0 } ns ? ns : "default",
        };
    }

    private static string? DataOrFile(YamlMappingNode node, string field, string baseDirectory)
    {
        if (Scalar(node, field + "-data") is { Length: > 0 } data) return Encoding.UTF8.GetString(Convert.FromBase64String(data));
        if (Scalar(node, field) is { Length: > 0 } file) return File.ReadAllText(Path.Combine(baseDirectory, file));
        return null;
    }

    private static YamlMappingNode? Named(YamlMappingNode root, string listField, string name, string innerField)
    {
        if (!root.Children.TryGetValue(new YamlScalarNode(listField), out var list) || list is not YamlSequenceNode seq) return null;
        foreach (var item in seq)
            if (item is YamlMappingNode m && Scalar(m, "name") == name && m.Children.TryGetValue(new YamlScalarNode(innerField), out var inner))
                return inner as YamlMappingNode;
        return null;
    }

    private static string? Scalar(YamlMappingNode node, string field) =>
        node.Children.TryGetValue(new YamlScalarNode(field), out var v) && v is YamlScalarNode s ? s.Value : null;
}
