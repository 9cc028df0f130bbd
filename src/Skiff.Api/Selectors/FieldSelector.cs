namespace Skiff.Api.Selectors;

/// <summary>One term of a field selector: <c>field=value</c> or <c>field!=value</c>.</summary>
public sealed record FieldRequirement(string Field, bool Equal, string Value);

/// <summary>A parsed <c>?fieldSelector=</c>: comma-separated equality terms. Immutable.</summary>
public sealed class FieldSelector
{
    public static readonly FieldSelector Everything = new([]);

    public IReadOnlyList<FieldRequirement> Requirements { get; }

    private FieldSelector(IReadOnlyList<FieldRequirement> r) => Requirements = r;

    public bool IsEmpty => Requirements.Count == 0;

    /// <summary>Matches given a function that reads a field's value as a string (null = absent, read as "").</summary>
    public bool Matches(Func<string, string?> field)
    {
        foreach (var r in Requirements)
        {
            var v = field(r.Field) ?? "";
            if ((v == r.Value) != r.Equal) return false;
        }
        return true;
    }

    /// <summary>The value required by an equality term on <paramref name="field"/>, if any.</summary>
    public string? RequiredValue(string field) =>
        Requirements.FirstOrDefault(r => r.Equal && r.Field == field)?.Value;

    public static FieldSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Everything;
        var reqs = new List<FieldRequirement>();
        foreach (var term in SplitTerms(text))
        {
            if (term.Length == 0) continue;
            int i;
            if ((i = term.IndexOf("!=", StringComparison.Ordinal)) > 0)
                reqs.Add(new(term[..i].Trim(), false, Unescape(term[(i + 2)..].Trim())));
            else if ((i = term.IndexOf("==", StringComparison.Ordinal)) > 0)
                reqs.Add(new(term[..i].Trim(), true, Unescape(term[(i + 2)..].Trim())));
            else if ((i = term.IndexOf('=')) > 0)
                reqs.Add(new(term[..i].Trim(), true, Unescape(term[(i + 1)..].Trim())));
            else
                throw new FormatException($"invalid selector: '{text}'; can't understand '{term}'");
        }
        return new FieldSelector(reqs);
    }

    // Values may escape ',', '=' and '\' with a backslash.
    private static IEnumerable<string> SplitTerms(string s)
    {
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\') { i++; continue; }
            if (s[i] == ',') { yield return s[start..i]; start = i + 1; }
        }
        yield return s[start..];
    }

    private static string Unescape(string v) => v.Contains('\\') ? System.Text.RegularExpressions.Regex.Replace(v, @"\\(.)", "$1") : v;

    public override string ToString() => string.Join(",", Requirements.Select(r => $"{r.Field}{(r.Equal ? "=" : "!=")}{r.Value}"));
}
