namespace Skiff.Api.Schema;

/// <summary>
/// The OpenAPI v2 "definitions" object of the built-in API (descriptions removed), as written by
/// tools/ModelGen into the embedded resource Generated/definitions.json. The OpenAPI publisher
/// and anything needing a schema read it from here; nothing reads ../shared at run time.
/// </summary>
public static class OpenApiDefinitions
{
    private static readonly Lazy<byte[]> Bytes = new(Load);

    /// <summary>UTF-8 JSON: { "io.k8s.api.apps.v1.Deployment": { ...schema... }, ... }, keys sorted.</summary>
    public static ReadOnlyMemory<byte> Utf8Json => Bytes.Value;

    private static byte[] Load()
    {
        using var s = typeof(OpenApiDefinitions).Assembly.GetManifestResourceStream("Skiff.Api.definitions.json");
        if (s is null) return "{}"u8.ToArray();
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }
}
