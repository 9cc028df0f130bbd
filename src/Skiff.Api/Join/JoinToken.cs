using System.Security.Cryptography;
using System.Text;

namespace Skiff.Api.Join;

/// <summary>
/// The secret an agent joins a cluster with, in k3s's formats:
/// <list type="bullet">
/// <item><c>K10&lt;sha256 of the server CA bundle, hex&gt;::&lt;user&gt;:&lt;password&gt;</c> (the "secure" form the server writes):
/// the agent checks the CA it downloads against the hash before trusting it.</item>
/// <item><c>K10&lt;hash&gt;::&lt;password&gt;</c>: the same, user "node".</item>
/// <item>a bare <c>&lt;password&gt;</c> (the short form): the CA is trusted on first use.</item>
/// </list>
/// Shared by the server (which issues and checks it) and the agent (which presents it). Immutable.
/// </summary>
public sealed record JoinToken(string? CaHash, string Username, string Password)
{
    public const string Prefix = "K10";
    public const string DefaultUser = "node";

    /// <summary>The secure form; requires <see cref="CaHash"/>.</summary>
    public string Format() => CaHash is null
        ? throw new InvalidOperationException("a token without a CA hash has only its short form")
        : $"{Prefix}{CaHash}::{Username}:{Password}";

    /// <summary>Parses any of the three forms; a <see cref="FormatException"/> says what is wrong.</summary>
    public static JoinToken Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        if (text.Length == 0) throw new FormatException("the token is empty");
        if (!text.StartsWith(Prefix, StringComparison.Ordinal) || !text.Contains("::", StringComparison.Ordinal))
        {
            CheckPassword(text);
            return new JoinToken(null, DefaultUser, text);
        }
        var sep = text.IndexOf("::", StringComparison.Ordinal);
        var hash = text[Prefix.Length..sep];
        if (hash.Length != 64 || !hash.All(Uri.IsHexDigit))
            throw new FormatException("the token's CA hash (after K10) is not 64 hexadecimal digits");
        var credentials = text[(sep + 2)..];
        var colon = credentials.IndexOf(':');
        var (user, password) = colon < 0 ? (DefaultUser, credentials) : (credentials[..colon], credentials[(colon + 1)..]);
        if (user.Length == 0) throw new FormatException("the token's user (before ':') is empty");
        CheckPassword(password);
        return new JoinToken(hash.ToLowerInvariant(), user, password);
    }

    /// <summary>A new random password (32 hex digits, 128 bits).</summary>
    public static string NewPassword() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>The hash the secure form carries: SHA-256 of the CA bundle exactly as the server's /cacerts serves it.</summary>
    public static string HashOf(string caBundlePem) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(caBundlePem)));

    /// <summary>Constant-time comparison, so a wrong password's timing tells nothing about the right one.</summary>
    public bool PasswordEquals(string candidate) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(Password), Encoding.UTF8.GetBytes(candidate));

    private static void CheckPassword(string password)
    {
        if (password.Length == 0) throw new FormatException("the token's password is empty");
        if (password.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            throw new FormatException("the token's password contains white space or control characters");
    }

    /// <summary>Never prints the password.</summary>
    public override string ToString() => CaHash is null ? $"{Username}:<redacted>" : $"{Prefix}{CaHash}::{Username}:<redacted>";
}
