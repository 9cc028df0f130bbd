using System.Text.Json;
using System.Text.RegularExpressions;
using Skiff.Api.Meta;

namespace Skiff.Api.Tests.Meta;

/// <summary>
/// The group/versions and resources of the shared Kubernetes 1.36 OpenAPI document
/// (../shared/kubernetes-api/swagger.json beside the repository), read once per test run.
/// </summary>
internal static partial class OpenApiDocument
{
    private static readonly Lazy<(HashSet<GroupVersion> Versions, HashSet<GroupResource> Resources)> Data = new(Load);

    public static IReadOnlySet<GroupVersion> GroupVersions => Data.Value.Versions;
    public static IReadOnlySet<GroupResource> Resources => Data.Value.Resources;

    private static (HashSet<GroupVersion>, HashSet<GroupResource>) Load()
    {
        var path = FindDocument();
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var versions = new HashSet<GroupVersion>();
        var resources = new HashSet<GroupResource>();
        foreach (var p in doc.RootElement.GetProperty("paths").EnumerateObject())
        {
            var m = ResourcePath().Match(p.Name);
            if (!m.Success || m.Groups["resource"].Value == "watch") continue;
            var group = m.Groups["group"].Value;
            versions.Add(new(group, m.Groups["version"].Value));
            resources.Add(new(group, m.Groups["resource"].Value));
        }
        return (versions, resources);
    }

    private static string FindDocument()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "kubernetes-api", "swagger.json");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("shared/kubernetes-api/swagger.json was not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("^/(api|apis/(?<group>[^/]+))/(?<version>[^/]+)/(namespaces/\\{namespace\\}/)?(?<resource>[^/{]+)(/\\{name\\})?(/[^/]+)?$")]
    private static partial Regex ResourcePath();
}
