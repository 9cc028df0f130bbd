using System.Text.RegularExpressions;

namespace Skiff.Api.Validation;

/// <summary>
/// The name syntaxes of Kubernetes (RFC 1123 label and subdomain, RFC 1035 label, qualified names,
/// label values, path segments). Each check returns the list of upstream's messages, empty when valid,
/// word for word so that clients and tests that match on them keep working.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static partial class NameFormats
{
    public const int Dns1123LabelMaxLength = 63;
    public const int Dns1123SubdomainMaxLength = 253;
    public const int Dns1035LabelMaxLength = 63;
    public const int QualifiedNameMaxLength = 63;
    public const int LabelValueMaxLength = 63;

    private const string Dns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private const string Dns1123SubdomainFmt = Dns1123LabelFmt + "(\\." + Dns1123LabelFmt + ")*";
    private const string Dns1035LabelFmt = "[a-z]([-a-z0-9]*[a-z0-9])?";
    private const string QualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private const string LabelValueFmt = "(" + QualifiedNameFmt + ")?";

    private const string Dns1123LabelErrMsg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
    private const string Dns1123SubdomainErrMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    private const string Dns1035LabelErrMsg = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
    private const string QualifiedNameErrMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    private const string LabelValueErrMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

    public static List<string> IsDns1123Label(string value)
    {
        var errs = new List<string>();
        if (value.Length > Dns1123LabelMaxLength) errs.Add(MaxLenError(Dns1123LabelMaxLength));
        if (!Dns1123LabelRegex().IsMatch(value)) errs.Add(RegexError(Dns1123LabelErrMsg, Dns1123LabelFmt, "my-name", "123-abc"));
        return errs;
    }

    public static List<string> IsDns1123Subdomain(string value)
    {
        var errs = new List<string>();
        if (value.Length > Dns1123SubdomainMaxLength) errs.Add(MaxLenError(Dns1123SubdomainMaxLength));
        if (!Dns1123SubdomainRegex().IsMatch(value)) errs.Add(RegexError(Dns1123SubdomainErrMsg, Dns1123SubdomainFmt, "example.com"));
        return errs;
    }

    public static List<string> IsDns1035Label(string value)
    {
        var errs = new List<string>();
        if (value.Length > Dns1035LabelMaxLength) errs.Add(MaxLenError(Dns1035LabelMaxLength));
        if (!Dns1035LabelRegex().IsMatch(value)) errs.Add(RegexError(Dns1035LabelErrMsg, Dns1035LabelFmt, "my-name", "abc-123"));
        return errs;
    }

    /// <summary>A label key or annotation key: an optional DNS subdomain prefix and '/', then a name part.</summary>
    public static List<string> IsQualifiedName(string value)
    {
        var errs = new List<string>();
        var parts = value.Split('/');
        string name;
        switch (parts.Length)
        {
            case 1:
                name = parts[0];
                break;
            case 2:
                var prefix = parts[0];
                name = parts[1];
                if (prefix.Length == 0) errs.Add("prefix part " + EmptyError);
                else errs.AddRange(IsDns1123Subdomain(prefix).Select(m => "prefix part " + m));
                break;
            default:
                errs.Add("a qualified name " + RegexError(QualifiedNameErrMsg, QualifiedNameFmt, "MyName", "my.name", "123-abc")
                    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
                return errs;
        }

        if (name.Length == 0) errs.Add("name part " + EmptyError);
        else if (name.Length > QualifiedNameMaxLength) errs.Add("name part " + MaxLenError(QualifiedNameMaxLength));
        if (!QualifiedNameRegex().IsMatch(name))
            errs.Add("name part " + RegexError(QualifiedNameErrMsg, QualifiedNameFmt, "MyName", "my.name", "123-abc"));
        return errs;
    }

    public static List<string> IsValidLabelValue(string value)
    {
        var errs = new List<string>();
        if (value.Length > LabelValueMaxLength) errs.Add(MaxLenError(LabelValueMaxLength));
        if (!LabelValueRegex().IsMatch(value)) errs.Add(RegexError(LabelValueErrMsg, LabelValueFmt, "MyValue", "my_value", "12345"));
        return errs;
    }

    /// <summary>
    /// The rule every stored name obeys (it becomes a URL path segment). With <paramref name="prefix"/>
    /// (a generateName) only the characters are checked, since a suffix follows.
    /// </summary>
    public static List<string> IsValidPathSegmentName(string name, bool prefix = false)
    {
        var errs = new List<string>();
        if (!prefix && name is "." or "..") errs.Add($"may not be '{name}'");
        foreach (var illegal in new[] { "/", "%" })
            if (name.Contains(illegal, StringComparison.Ordinal)) errs.Add($"may not contain '{illegal}'");
        return errs;
    }

    public const string EmptyError = "must be non-empty";

    public static string MaxLenError(int length) => $"must be no more than {length} characters";

    /// <summary>Upstream's message shape: "msg (e.g. 'a',  or 'b', regex used for validation is 'fmt')".
    /// The doubled space after the first example is upstream's, kept because clients compare text.</summary>
    public static string RegexError(string msg, string fmt, params string[] examples)
    {
        if (examples.Length == 0) return msg + " (regex used for validation is '" + fmt + "')";
        var s = msg + " (e.g. ";
        for (var i = 0; i < examples.Length; i++)
        {
            if (i > 0) s += " or ";
            s += "'" + examples[i] + "', ";
        }
        return s + "regex used for validation is '" + fmt + "')";
    }

    [GeneratedRegex("^" + Dns1123LabelFmt + "\\z")] private static partial Regex Dns1123LabelRegex();
    [GeneratedRegex("^" + Dns1123SubdomainFmt + "\\z")] private static partial Regex Dns1123SubdomainRegex();
    [GeneratedRegex("^" + Dns1035LabelFmt + "\\z")] private static partial Regex Dns1035LabelRegex();
    [GeneratedRegex("^" + QualifiedNameFmt + "\\z")] private static partial Regex QualifiedNameRegex();
    [GeneratedRegex("^" + LabelValueFmt + "\\z")] private static partial Regex LabelValueRegex();
}
