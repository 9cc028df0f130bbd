using System.Text;
using System.Runtime.Versioning;
using Skiff.ApiServer.Pki;

namespace Skiff.ApiServer.Tests.Pki;

[UnsupportedOSPlatform("windows")] // asserts unix file modes
public sealed class KubeconfigWriterTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task KubectlReadsEveryField()
    {
        var pki = ClusterPki.LoadOrCreate(_temp.Combine("tls"), new ServingCertificateOptions());
        string path = _temp.Combine("etc", "skiff", "skiff.yaml");

        KubeconfigWriter.WriteAdmin(path, "https://127.0.0.1:6443", pki);

        Assert.Equal("https://127.0.0.1:6443", await ViewAsync("{.clusters[?(@.name==\"default\")].cluster.server}"));
        Assert.Equal("default", await ViewAsync("{.current-context}"));
        Assert.Equal("default", await ViewAsync("{.contexts[0].context.cluster}"));
        Assert.Equal("default", await ViewAsync("{.contexts[0].context.user}"));
        Assert.Equal(pki.ServerCa.CertificatePem, Decode(await ViewAsync("{.clusters[0].cluster.certificate-authority-data}")));
        Assert.Equal(pki.Admin.CertificatePem, Decode(await ViewAsync("{.users[?(@.name==\"default\")].user.client-certificate-data}")));
        Assert.Equal(pki.Admin.KeyPem, Decode(await ViewAsync("{.users[0].user.client-key-data}")));
    }

    [Fact]
    public void DefaultModeIsOwnerOnly()
    {
        string path = _temp.Combine("k.yaml");
        KubeconfigWriter.Write(path, "https://127.0.0.1:6443", "ca", "cert", "key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void GivenModeIsAppliedEvenWhenReplacingAFile()
    {
        string path = _temp.Combine("k.yaml");
        KubeconfigWriter.Write(path, "https://127.0.0.1:6443", "ca", "cert", "key");

        KubeconfigWriter.Write(path, "https://10.0.0.1:6443", "ca", "cert", "key", "0644");

        Assert.Equal(FileModes.Public, File.GetUnixFileMode(path));
        Assert.Contains("server: \"https://10.0.0.1:6443\"", File.ReadAllText(path));
        Assert.Equal(["k.yaml"], Directory.GetFiles(_temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void BadModeWritesNothing()
    {
        string path = _temp.Combine("k.yaml");
        Assert.Throws<FormatException>(() => KubeconfigWriter.Write(path, "https://127.0.0.1:6443", "ca", "cert", "key", "0999"));
        Assert.False(File.Exists(path));
    }

    private static string Decode(string base64) => Encoding.UTF8.GetString(Convert.FromBase64String(base64));

    private async Task<string> ViewAsync(string jsonPath)
    {
        string kubeconfig = _temp.Combine("etc", "skiff", "skiff.yaml");
        var (exitCode, stdout, stderr) = await Kubectl.RunAsync(
            ["config", "view", "--kubeconfig", kubeconfig, "--raw", "-o", "jsonpath=" + jsonPath], _temp.Path, CancellationToken.None);
        Assert.True(exitCode == 0, $"kubectl failed ({exitCode}): {stderr}");
        return stdout.Trim();
    }
}
