using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Tables;

/// <summary>Cell formats upstream's printers share: label maps, label selectors, container lists.</summary>
internal static class Formats
{
    /// <summary>labels.FormatLabels: "k=v" sorted by key, comma-joined; "&lt;none&gt;" when empty.</summary>
    public static string Labels(JsonObject? labels)
    {
        if (labels is null || labels.Count == 0) return "<none>";
        return string.Join(",", labels.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => p.Key + "=" + (Json.StrOrNull(p.Value) ?? "")));
    }

    /// <summary>
    /// A LabelSelector as labels.Selector.String(): requirements sorted by key; "k=v", "k in (a,b)",
    /// "k notin (a,b)", "k", "!k". A null or empty selector gives "", an unknown operator null; callers pick
    /// the text for those, since upstream's printers differ ("&lt;none&gt;" vs "").
    /// </summary>
    public static string? Selector(JsonObject? selector)
    {
        if (selector is null) return "";
        var requirements = new List<(string Key, string Text)>();
        if (selector["matchLabels"] is JsonObject ml)
            foreach (var (k, v) in ml) requirements.Add((k, k + "=" + (Json.StrOrNull(v) ?? "")));
        foreach (var expr in Json.Objs(selector, "matchExpressions"))
        {
            var key = Json.Str(expr, "key");
            var values = expr["values"] is JsonArray a
                ? a.Select(x => Json.StrOrNull(x) ?? "").Distinct().OrderBy(x => x, StringComparer.Ordinal).ToList()
                : [];
            string? text = Json.Str(expr, "operator") switch
            {
                "In" => $"{key} in ({string.Join(",", values)})",
                "NotIn" => $"{key} notin ({string.Join(",", values)})",
                "Exists" => key,
                "DoesNotExist" => "!" + key,
                _ => null,
            };
            if (text is null) return null;
            requirements.Add((key, text));
        }
        return string.Join(",", requirements.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => r.Text));
    }

    /// <summary>metav1.FormatLabelSelector: "&lt;none&gt;" for a nil or empty selector, "&lt;error&gt;" if invalid.</summary>
    public static string LabelSelector(JsonObject? selector) => Selector(selector) switch
    {
        null => "<error>",
        "" => "<none>",
        var s => s,
    };

    /// <summary>Container names and images, each comma-joined.</summary>
    public static (string Names, string Images) Containers(JsonNode? podSpec)
    {
        var containers = Json.Objs(podSpec, "containers").ToList();
        return (string.Join(",", containers.Select(c => Json.Str(c, "name"))),
                string.Join(",", containers.Select(c => Json.Str(c, "image"))));
    }

    /// <summary>Access modes as RWO, ROX, RWX, RWOP in that fixed order.</summary>
    public static string AccessModes(JsonNode? modes)
    {
        var set = modes is JsonArray a ? a.Select(m => Json.StrOrNull(m)).ToHashSet() : [];
        var names = new List<string>();
        if (set.Contains("ReadWriteOnce")) names.Add("RWO");
        if (set.Contains("ReadOnlyMany")) names.Add("ROX");
        if (set.Contains("ReadWriteMany")) names.Add("RWX");
        if (set.Contains("ReadWriteOncePod")) names.Add("RWOP");
        return string.Join(",", names);
    }

    /// <summary>Up to three items then " + N more...", as upstream's list cells; "&lt;unset&gt;" when empty.</summary>
    public static string ListWithMore(IReadOnlyList<string> all, int max = 3)
    {
        if (all.Count == 0) return "<unset>";
        var shown = string.Join(",", all.Take(max));
        return all.Count > max ? $"{shown} + {all.Count - max} more..." : shown;
    }

    public static string BoolText(bool? value) => value switch { true => "True", false => "False", null => "<unset>" };
}
