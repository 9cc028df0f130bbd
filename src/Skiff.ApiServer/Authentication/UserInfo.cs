namespace Skiff.ApiServer.Authentication;

/// <summary>
/// Who made a request, as authorization and admission see it (upstream's user.Info). Immutable.
/// </summary>
/// <param name="Name">The user name, e.g. <c>system:admin</c> or <c>system:serviceaccount:ns:name</c>.</param>
/// <param name="Groups">Every group the user is in, including <c>system:authenticated</c> or <c>system:unauthenticated</c>.</param>
/// <param name="Uid">A unique id when the authenticator knows one (service account tokens do; certificates do not).</param>
/// <param name="Extra">Additional attributes authenticators attach (e.g. token credential id); empty when none.</param>
public sealed record UserInfo(
    string Name,
    IReadOnlyList<string> Groups,
    string? Uid = null,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Extra = null)
{
    public const string AnonymousUserName = "system:anonymous";
    public const string AuthenticatedGroup = "system:authenticated";
    public const string UnauthenticatedGroup = "system:unauthenticated";

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoExtra =
        new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The user of a request that presented no credentials.</summary>
    public static UserInfo Anonymous { get; } = new(AnonymousUserName, [UnauthenticatedGroup]);

    /// <summary>Never null, so callers need not check.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Extra { get; init; } = Extra ?? NoExtra;

    public bool IsAnonymous => Name == AnonymousUserName;

    public bool IsInGroup(string group) => Groups.Contains(group, StringComparer.Ordinal);

    /// <summary>
    /// A user for an authenticated identity: <paramref name="groups"/> plus <c>system:authenticated</c>
    /// (added once, as upstream's authenticated-group adder does).
    /// </summary>
    public static UserInfo Authenticated(string name, IEnumerable<string> groups, string? uid = null)
    {
        var all = new List<string>();
        foreach (string group in groups)
        {
            if (!all.Contains(group, StringComparer.Ordinal))
            {
                all.Add(group);
            }
        }
        if (!all.Contains(AuthenticatedGroup, StringComparer.Ordinal))
        {
            all.Add(AuthenticatedGroup);
        }
        return new UserInfo(name, all, uid);
    }
}
