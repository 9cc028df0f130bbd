using YamlDotNet.RepresentationModel;

namespace Skiff;

/// <summary>
/// Reads a config file whose keys are long flag names (<c>data-dir: /x</c>, <c>tls-san: [a, b]</c>)
/// and turns it into command-line arguments that go before the real ones, so flags win.
/// </summary>
public static class ConfigFile
{
    public static IReadOnlyList<string> ToArguments(string path)
    {
        var yaml = new YamlStream();
        using (var reader = File.OpenText(path)) yaml.Load(reader);
        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root) return [];
        var args = new List<string>();
        foreach (var (k, v) in root.Children)
        {
            var key = "--" + ((YamlScalarNode)k).Value;
            switch (v)
            {
                case YamlSequenceNode seq:
                    foreach (var item in seq.Children) { args.Add(key); args.Add(((YamlScalarNode)item).Value ?? ""); }
                    break;
                case YamlScalarNode s when s.Value is "true" or "false":
                    args.Add($"{key}={s.Value}");
                    break;
                case YamlScalarNode s:
                    args.Add(key); args.Add(s.Value ?? "");
                    break;
                default:
                    throw new FormatException($"{path}: value of {key[2..]} must be a scalar or a list");
            }
        }
        return args;
    }
}
