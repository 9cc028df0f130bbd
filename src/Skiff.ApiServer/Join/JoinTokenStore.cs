using Skiff.Api.Join;
using Skiff.ApiServer.Pki;

namespace Skiff.ApiServer.Join;

/// <summary>
/// The cluster's join token, kept as k3s keeps it: <c>&lt;server-dir&gt;/token</c> (mode 0600) holds the secure form
/// (<c>K10&lt;CA hash&gt;::server:&lt;password&gt;</c>) and <c>node-token</c> links to it, for agents to be given.
/// The password is chosen once and kept across restarts; <c>--token</c> sets it instead.
/// </summary>
public static class JoinTokenStore
{
    public const string FileName = "token";
    public const string NodeTokenLink = "node-token";
    public const string ServerUser = "server";

    /// <summary>
    /// The token for a server whose CA bundle is <paramref name="caBundlePem"/>. <paramref name="configured"/> (the
    /// <c>--token</c> flag, short or secure form) wins over the stored one; a secure form whose hash names another CA is refused.
    /// </summary>
    public static JoinToken LoadOrCreate(string serverDir, string caBundlePem, string? configured)
    {
        var path = Path.Combine(serverDir, FileName);
        var hash = JoinToken.HashOf(caBundlePem);
        string password;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var given = JoinToken.Parse(configured);
            if (given.CaHash is { } h && h != hash)
                throw new FormatException("--token: the token's CA hash does not match this server's CA (it was made for another cluster)");
            password = given.Password;
        }
        else if (File.Exists(path))
        {
            try { password = JoinToken.Parse(File.ReadAllText(path)).Password; }
            catch (FormatException e) { throw new FormatException($"{path}: {e.Message}; remove it to have a new token made"); }
        }
        else password = JoinToken.NewPassword();

        var token = new JoinToken(hash, ServerUser, password);
        var text = token.Format() + "\n";
        if (!File.Exists(path) || File.ReadAllText(path) != text) AtomicFile.WriteAllText(path, text, FileModes.Private);
        var link = Path.Combine(serverDir, NodeTokenLink);
        if (!File.Exists(link) && new FileInfo(link).LinkTarget is null) File.CreateSymbolicLink(link, FileName);
        return token;
    }
}
