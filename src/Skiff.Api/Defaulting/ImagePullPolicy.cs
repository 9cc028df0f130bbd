using System.Text.RegularExpressions;

namespace Skiff.Api.Defaulting;

/// <summary>
/// The pull policy upstream picks for an image reference: Always when the tag is "latest",
/// written or implied (no tag and no digest); IfNotPresent for any other tag, a digest alone,
/// or a reference that does not parse (upstream ignores the parse error and lets validation speak).
/// </summary>
public static partial class ImagePullPolicy
{
    public const string Always = "Always";
    public const string IfNotPresent = "IfNotPresent";

    public static string For(string? image) => TagOf(image) == "latest" ? Always : IfNotPresent;

    /// <summary>The tag as the container runtime reads it ("latest" when neither tag nor digest is
    /// given), "" for a digest without a tag, null when the reference is not a valid image name.</summary>
    public static string? TagOf(string? image)
    {
        if (string.IsNullOrEmpty(image) || HexIdentifier().IsMatch(image)) return null;
        var match = Reference().Match(image);
        if (!match.Success || match.Groups["name"].Value.Length > 255) return null;
        var tag = match.Groups["tag"];
        if (tag.Success) return tag.Value;
        return match.Groups["digest"].Success ? "" : "latest";
    }

    // The distribution reference grammar: [domain[:port]/]path-component(/path-component)*[:tag][@digest].
    private const string DomainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private const string Domain = "(?:" + DomainComponent + @"(?:\." + DomainComponent + @")*|\[[0-9A-Fa-f:]+\])(?::[0-9]+)?";
    private const string PathComponent = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
    private const string Name = "(?:" + Domain + "/)?" + PathComponent + "(?:/" + PathComponent + ")*";
    private const string Tag = @"[\w][\w.-]{0,127}";
    private const string Digest = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";

    [GeneratedRegex("^(?<name>" + Name + ")(?::(?<tag>" + Tag + "))?(?:@(?<digest>" + Digest + "))?$")]
    private static partial Regex Reference();

    [GeneratedRegex("^[a-f0-9]{64}$")]
    private static partial Regex HexIdentifier();
}
