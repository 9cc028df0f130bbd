namespace Skiff.Api.Selectors;

public enum SelectorOperator { Equals, NotEquals, In, NotIn, Exists, DoesNotExist, GreaterThan, LessThan }

/// <summary>One requirement of a label selector: key, operator and values.</summary>
public sealed record LabelRequirement(string Key, SelectorOperator Operator, IReadOnlyList<string> Values)
{
    public bool Matches(IReadOnlyDictionary<string, string>? labels)
    {
        string? value = null;
        var has = labels is not null && labels.TryGetValue(Key, out value);
        return Operator switch
        {
            SelectorOperator.Equals or SelectorOperator.In => has && Values.Contains(value!),
            SelectorOperator.NotEquals or SelectorOperator.NotIn => !has || !Values.Contains(value!),
            SelectorOperator.Exists => has,
            SelectorOperator.DoesNotExist => !has,
            SelectorOperator.GreaterThan => has && long.TryParse(value, out var g) && g > long.Parse(Values[0]),
            SelectorOperator.LessThan => has && long.TryParse(value, out var l) && l < long.Parse(Values[0]),
            _ => false,
        };
    }
}

/// <summary>
/// A parsed label selector in the string syntax of <c>?labelSelector=</c>:
/// <c>a=b,c!=d,e in (x,y),f notin (z),g,!h</c>. Immutable and thread-safe.
/// </summary>
public sealed class LabelSelector
{
    public static readonly LabelSelector Everything = new([]);

    public IReadOnlyList<LabelRequirement> Requirements { get; }

    private LabelSelector(IReadOnlyList<LabelRequirement> requirements) => Requirements = requirements;

    public bool IsEmpty => Requirements.Count == 0;

    public bool Matches(IReadOnlyDictionary<string, string>? labels)
    {
        foreach (var r in Requirements)
            if (!r.Matches(labels)) return false;
        return true;
    }

    /// <summary>
    /// The selector a metav1.LabelSelector object describes (matchLabels and matchExpressions with
    /// In, NotIn, Exists, DoesNotExist). An empty object selects everything, as in the apps and
    /// policy v1 APIs; an unknown operator throws <see cref="FormatException"/>.
    /// </summary>
    public static LabelSelector FromJson(System.Text.Json.Nodes.JsonObject selector)
    {
        var reqs = new List<LabelRequirement>();
        if (selector["matchLabels"] is System.Text.Json.Nodes.JsonObject ml)
            foreach (var (k, v) in ml) reqs.Add(new LabelRequirement(k, SelectorOperator.Equals, [v?.GetValue<string>() ?? ""]));
        if (selector["matchExpressions"] is System.Text.Json.Nodes.JsonArray me)
            foreach (var e in me.OfType<System.Text.Json.Nodes.JsonObject>())
            {
                var key = e["key"]?.GetValue<string>() ?? "";
                var values = e["values"] is System.Text.Json.Nodes.JsonArray vs ? vs.Select(x => x?.GetValue<string>() ?? "").ToList() : [];
                var op = e["operator"]?.GetValue<string>() switch
                {
                    "In" => SelectorOperator.In,
                    "NotIn" => SelectorOperator.NotIn,
                    "Exists" => SelectorOperator.Exists,
                    "DoesNotExist" => SelectorOperator.DoesNotExist,
                    var other => throw new FormatException($"{other} is not a valid label selector operator"),
                };
                reqs.Add(new LabelRequirement(key, op, values));
            }
        return reqs.Count == 0 ? Everything : new LabelSelector(reqs);
    }

    /// <summary>The selector a typed metav1.LabelSelector describes (same rules as <see cref="FromJson"/>).</summary>
    public static LabelSelector FromModel(Skiff.Api.Models.Meta.V1.LabelSelector selector)
    {
        var reqs = new List<LabelRequirement>();
        foreach (var (k, v) in selector.MatchLabels ?? []) reqs.Add(new LabelRequirement(k, SelectorOperator.Equals, [v]));
        foreach (var e in selector.MatchExpressions ?? [])
        {
            var op = e.Operator switch
            {
                "In" => SelectorOperator.In,
                "NotIn" => SelectorOperator.NotIn,
                "Exists" => SelectorOperator.Exists,
                "DoesNotExist" => SelectorOperator.DoesNotExist,
                var other => throw new FormatException($"{other} is not a valid label selector operator"),
            };
            reqs.Add(new LabelRequirement(e.Key ?? "", op, e.Values ?? []));
        }
        return reqs.Count == 0 ? Everything : new LabelSelector(reqs);
    }

    /// <summary>Parses the selector; throws <see cref="FormatException"/> with upstream-like text.</summary>
    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Everything;
        var reqs = new List<LabelRequirement>();
        var p = new Lexer(text);
        while (true)
        {
            p.SkipSpace();
            if (p.End) break;
            reqs.Add(ParseRequirement(p));
            p.SkipSpace();
            if (p.End) break;
            if (!p.Take(',')) throw new FormatException($"unable to parse requirement: found '{p.Rest}', expected: ','");
        }
        return new LabelSelector(reqs);
    }

    private static LabelRequirement ParseRequirement(Lexer p)
    {
        if (p.Take('!'))
        {
            var k = p.Identifier();
            ValidateKey(k);
            return new LabelRequirement(k, SelectorOperator.DoesNotExist, []);
        }
        var key = p.Identifier();
        if (key.Length == 0) throw new FormatException($"unable to parse requirement: found '{p.Rest}', expected: identifier");
        ValidateKey(key);
        p.SkipSpace();
        if (p.End || p.Peek == ',') return new LabelRequirement(key, SelectorOperator.Exists, []);
        if (p.TakeString("==") || p.Take('=')) return new LabelRequirement(key, SelectorOperator.Equals, [Value(p)]);
        if (p.TakeString("!=")) return new LabelRequirement(key, SelectorOperator.NotEquals, [Value(p)]);
        if (p.Take('>')) return new LabelRequirement(key, SelectorOperator.GreaterThan, [Integer(p)]);
        if (p.Take('<')) return new LabelRequirement(key, SelectorOperator.LessThan, [Integer(p)]);
        var word = p.Identifier();
        var op = word switch
        {
            "in" => SelectorOperator.In,
            "notin" => SelectorOperator.NotIn,
            _ => throw new FormatException($"unable to parse requirement: found '{word}', expected: in, notin, =, ==, !=, gt, lt"),
        };
        p.SkipSpace();
        if (!p.Take('(')) throw new FormatException($"unable to parse requirement: found '{p.Rest}', expected: '('");
        var values = new List<string>();
        while (true)
        {
            p.SkipSpace();
            if (p.Take(')')) break;
            values.Add(Value(p));
            p.SkipSpace();
            if (p.Take(')')) break;
            if (!p.Take(',')) throw new FormatException($"unable to parse requirement: found '{p.Rest}', expected: ',', ')'");
        }
        if (values.Count == 0) throw new FormatException("for 'in', 'notin' operators, values set can't be empty");
        return new LabelRequirement(key, op, values);
    }

    private static string Value(Lexer p)
    {
        p.SkipSpace();
        var v = p.Identifier();
        if (v.Length > 0 && !LabelValues.IsValidValue(v))
            throw new FormatException($"invalid label value: \"{v}\": at key: ... a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
        return v;
    }

    private static string Integer(Lexer p)
    {
        var v = Value(p);
        if (!long.TryParse(v, out _)) throw new FormatException($"unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer");
        return v;
    }

    private static void ValidateKey(string key)
    {
        if (!LabelValues.IsQualifiedName(key))
            throw new FormatException($"unable to parse requirement: invalid label key \"{key}\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
    }

    public override string ToString() => string.Join(",", Requirements.Select(r => r.Operator switch
    {
        SelectorOperator.Equals => $"{r.Key}={r.Values[0]}",
        SelectorOperator.NotEquals => $"{r.Key}!={r.Values[0]}",
        SelectorOperator.In => $"{r.Key} in ({string.Join(",", r.Values)})",
        SelectorOperator.NotIn => $"{r.Key} notin ({string.Join(",", r.Values)})",
        SelectorOperator.Exists => r.Key,
        SelectorOperator.DoesNotExist => "!" + r.Key,
        SelectorOperator.GreaterThan => $"{r.Key}>{r.Values[0]}",
        _ => $"{r.Key}<{r.Values[0]}",
    }));

    private sealed class Lexer(string s)
    {
        private int _i;
        public bool End => _i >= s.Length;
        public char Peek => s[_i];
        public string Rest => s[_i..];
        public void SkipSpace() { while (_i < s.Length && char.IsWhiteSpace(s[_i])) _i++; }
        public bool Take(char c) { if (_i < s.Length && s[_i] == c) { _i++; return true; } return false; }
        public bool TakeString(string t) { if (string.CompareOrdinal(s, _i, t, 0, t.Length) == 0) { _i += t.Length; return true; } return false; }
        public string Identifier()
        {
            SkipSpace();
            var start = _i;
            while (_i < s.Length && !char.IsWhiteSpace(s[_i]) && s[_i] is not (',' or '=' or '!' or '(' or ')' or '<' or '>')) _i++;
            return s[start.._i];
        }
    }
}

/// <summary>The character rules for label keys and values.</summary>
public static class LabelValues
{
    public static bool IsValidValue(string v) => v.Length <= 63 && (v.Length == 0 || IsNamePart(v));

    /// <summary>[prefix/]name where prefix is a DNS subdomain and name is 1-63 chars.</summary>
    public static bool IsQualifiedName(string key)
    {
        var slash = key.IndexOf('/');
        var name = slash < 0 ? key : key[(slash + 1)..];
        if (slash >= 0)
        {
            var prefix = key[..slash];
            if (prefix.Length == 0 || prefix.Length > 253) return false;
            foreach (var c in prefix)
                if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.')) return false;
        }
        return name.Length is > 0 and <= 63 && IsNamePart(name);
    }

    private static bool IsNamePart(string v)
    {
        if (!char.IsAsciiLetterOrDigit(v[0]) || !char.IsAsciiLetterOrDigit(v[^1])) return false;
        foreach (var c in v)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) return false;
        return true;
    }
}
