using System.Text.Json;
using Skiff.ApiServer.Tables;

namespace Skiff.ApiServer.Tests.Tables;

/// <summary>Guards the printer registry against misspelt resources: each must be a collection path of the
/// shared 1.36 OpenAPI document (../shared/kubernetes-api/swagger.json beside the repository).</summary>
public class PrintedResourcesExistTests
{
    [Fact]
    public void Every_printed_resource_is_in_the_openapi_document()
    {
        var paths = LoadPaths();
        Assert.All(TableConvertors.Printed, r =>
        {
            var prefix = r.Group.Length == 0 ? "/api/v1/" : $"/apis/{r.Group}/";
            Assert.Contains(paths, p => p.StartsWith(prefix, StringComparison.Ordinal)
                && (p.EndsWith("/" + r.Resource, StringComparison.Ordinal) || p.Contains("/" + r.Resource + "/{name}", StringComparison.Ordinal)));
        });
    }

    private static List<string> LoadPaths()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var file = Path.Combine(dir.FullName, "shared", "kubernetes-api", "swagger.json");
            if (!File.Exists(file)) continue;
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            return doc.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        }
        throw new FileNotFoundException("shared/kubernetes-api/swagger.json was not found above " + AppContext.BaseDirectory);
    }
}
