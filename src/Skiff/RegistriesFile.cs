using Skiff.Agent.Containerd;
using YamlDotNet.RepresentationModel;

namespace Skiff;

/// <summary>
/// k3s's registries.yaml, the part Skiff reads: <c>mirrors:</c> with, for each registry host, an <c>endpoint:</c>
/// list. Other top-level sections (k3s's <c>configs:</c> for credentials and TLS) are refused by name rather than
/// silently ignored. Errors are <see cref="FormatException"/>s naming the file and the key.
/// </summary>
public static class RegistriesFile
{
    /// <summary>Where the file is looked for when no --private-registry is given (k3s: /etc/rancher/k3s/registries.yaml).</summary>
    public const string DefaultPath = "/etc/skiff/registries.yaml";

    public static RegistryMirrors Load(string path, bool disableDefaultEndpoint)
    {
        var yaml = new YamlStream();
        try
        {
            using var reader = File.OpenText(path);
            yaml.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new FormatException($"{path}: {e.Message}");
        }
        var mirrors = new Dictionary<string, IReadOnlyList<Uri>>(StringComparer.Ordinal);
        if (yaml.Documents.Count > 0 && yaml.Documents[0].RootNode is not YamlScalarNode { Value: null or "" })
        {
            if (yaml.Documents[0].RootNode is not YamlMappingNode root) throw new FormatException($"{path}: the file must be a mapping with a mirrors: key");
            foreach (var (key, value) in root.Children)
            {
                var name = (key as YamlScalarNode)?.Value;
                if (name != "mirrors") throw new FormatException($"{path}: \"{name}\" is not supported (only mirrors: is)");
                if (value is not YamlMappingNode registries) throw new FormatException($"{path}: mirrors must be a mapping of registry hosts");
                foreach (var (registryNode, entry) in registries.Children)
                {
                    var registry = (registryNode as YamlScalarNode)?.Value ?? "";
                    if (entry is not YamlMappingNode fields || fields.Children.Count != 1
                        || !fields.Children.TryGetValue(new YamlScalarNode("endpoint"), out var list) || list is not YamlSequenceNode endpoints)
                        throw new FormatException($"{path}: mirrors.\"{registry}\" must have exactly an endpoint: list");
                    try
                    {
                        var (host, uris) = RegistryMirrors.Entry(registry, endpoints.Children.Select(n => (n as YamlScalarNode)?.Value ?? ""));
                        mirrors[host] = uris;
                    }
                    catch (FormatException e)
                    {
                        throw new FormatException($"{path}: {e.Message}");
                    }
                }
            }
        }
        return new RegistryMirrors { Mirrors = mirrors, DisableDefaultEndpoint = disableDefaultEndpoint };
    }
}
