namespace Skiff.Api.Tests.Generation;

/// <summary>Finds the repository root and the shared OpenAPI document by walking up from the test's
/// base directory, so the tests work from any worktree and any build output folder.</summary>
internal static class RepositoryPaths
{
    public static string RepoRoot { get; } = FindUp(AppContext.BaseDirectory, d => File.Exists(Path.Combine(d, "src", "Skiff.Api", "Skiff.Api.csproj")))
        ?? throw new InvalidOperationException($"No repository root above {AppContext.BaseDirectory}.");

    public static string SkiffApiDir => Path.Combine(RepoRoot, "src", "Skiff.Api");

    /// <summary>shared/kubernetes-api/swagger.json in the nearest ancestor of the repository that has one.</summary>
    public static string SwaggerJson { get; } =
        FindUp(RepoRoot, d => File.Exists(Path.Combine(d, "shared", "kubernetes-api", "swagger.json"))) is { } dir
            ? Path.Combine(dir, "shared", "kubernetes-api", "swagger.json")
            : throw new InvalidOperationException($"No shared/kubernetes-api/swagger.json above {RepoRoot}.");

    private static string? FindUp(string start, Func<string, bool> matches)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (matches(dir.FullName)) return dir.FullName;
        return null;
    }
}
