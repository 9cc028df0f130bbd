namespace Skiff.ApiServer.OpenApi;

/// <summary>The fixed parts every published document carries.</summary>
public sealed record DocumentInfo(string Title = "Kubernetes", string Version = "v1.36.0")
{
    /// <summary>The bearer-token security scheme name upstream declares.</summary>
    public const string SecuritySchemeName = "BearerToken";
}
