namespace Skiff.ApiServer.Pki;

/// <summary>Parses file modes written the way chmod and k3s's <c>--write-kubeconfig-mode</c> take them.</summary>
public static class FileModes
{
    /// <summary>Owner read/write only: for private keys and kubeconfigs.</summary>
    public const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>World-readable: for certificates, which are public.</summary>
    public const UnixFileMode Public = Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Owner-only directory.</summary>
    public const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Parses an octal mode such as "0644", "644" or "600".</summary>
    /// <exception cref="FormatException">The text is not an octal number up to 0777.</exception>
    public static UnixFileMode ParseOctal(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string digits = text.Trim();
        if (digits.StartsWith("0o", StringComparison.OrdinalIgnoreCase))
        {
            digits = digits[2..];
        }
        if (digits.Length == 0 || digits.Length > 4)
        {
            throw new FormatException($"file mode '{text}' is not an octal number like 0600");
        }
        int value = 0;
        foreach (char c in digits)
        {
            if (c < '0' || c > '7')
            {
                throw new FormatException($"file mode '{text}' is not an octal number like 0600");
            }
            value = value * 8 + (c - '0');
        }
        if (value > 0x1FF)
        {
            // setuid/setgid/sticky make no sense for a kubeconfig and would surprise a user.
            throw new FormatException($"file mode '{text}' has bits above 0777");
        }
        return (UnixFileMode)value;
    }
}
