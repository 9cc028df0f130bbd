using Skiff.ModelGen;

namespace Skiff.Api.Tests.Generation;

public sealed class GeneratedFilesAreCurrentTests
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> Generated =
        new(() => Generator.Generate(File.ReadAllText(RepositoryPaths.SwaggerJson)));

    [Fact]
    public void Every_generated_file_matches_the_committed_copy_byte_for_byte()
    {
        var stale = new List<string>();
        foreach (var (relative, content) in Generated.Value)
        {
            var path = Path.Combine(RepositoryPaths.SkiffApiDir, relative);
            if (!File.Exists(path)) { stale.Add($"{relative} (missing)"); continue; }
            if (!File.ReadAllBytes(path).AsSpan().SequenceEqual(System.Text.Encoding.UTF8.GetBytes(content)))
                stale.Add(relative);
        }
        Assert.True(stale.Count == 0, "Out of date; run scripts/gen-models.sh: " + string.Join(", ", stale));
    }

    [Fact]
    public void No_generated_model_or_json_file_is_left_over_from_an_older_document()
    {
        var onDisk = new[] { "Models", "Generated/Json" }
            .SelectMany(dir => Directory.EnumerateFiles(Path.Combine(RepositoryPaths.SkiffApiDir, dir), "*.g.cs"))
            .Select(p => Path.GetRelativePath(RepositoryPaths.SkiffApiDir, p).Replace('\\', '/'))
            .Append("Generated/SkiffJsonContext.g.cs")
            .Where(p => File.Exists(Path.Combine(RepositoryPaths.SkiffApiDir, p)));
        var extra = onDisk.Where(p => !Generated.Value.ContainsKey(p)).ToList();
        Assert.True(extra.Count == 0, "Not produced by the generator: " + string.Join(", ", extra));
    }

    [Fact]
    public void Generating_twice_gives_identical_output()
    {
        var again = Generator.Generate(File.ReadAllText(RepositoryPaths.SwaggerJson));
        Assert.Equal(Generated.Value.Keys, again.Keys);
        foreach (var (path, content) in again) Assert.True(Generated.Value[path] == content, path);
    }

    [Fact]
    public void Definitions_json_has_no_descriptions_but_keeps_the_JSONSchemaProps_description_field()
    {
        var json = Generated.Value["Generated/definitions.json"];
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var props = doc.RootElement.GetProperty("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps").GetProperty("properties");
        Assert.True(props.TryGetProperty("description", out _));
        var names = doc.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(names.OrderBy(n => n, StringComparer.Ordinal), names);
        Assert.Equal(771, names.Count);
    }
}
