namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// HTTP-framework-free helpers for the /openapi endpoints: which representation an Accept
/// header asks for (as kube-openapi's handlers decide it) and the caching headers to send.
/// Stateless.
/// </summary>
public static class OpenApiNegotiation
{
    /// <summary>The v2 protobuf media subtypes kubectl sends (the "@" form is the older spelling).</summary>
    private static readonly string[] V2ProtobufSubtypes =
        ["com.github.proto-openapi.spec.v2@v1.0+protobuf", "com.github.proto-openapi.spec.v2.v1.0+protobuf"];

    /// <summary>Cache-Control for a v3 request whose ?hash= equals the document's hash: the content can never change under that URL.</summary>
    public const string ImmutableCacheControl = "public, immutable, max-age=31536000";

    /// <summary>Cache-Control otherwise: clients must revalidate with If-None-Match.</summary>
    public const string RevalidateCacheControl = "no-cache, private";

    /// <summary>
    /// Chooses the /openapi/v2 representation. False means 406 Not Acceptable. A missing header
    /// or */* gets JSON; clauses are tried in order of their q value, then as written.
    /// </summary>
    public static bool TryChooseV2(string? accept, out bool protobuf)
    {
        foreach (var (type, subtype) in Clauses(accept))
        {
            if (type is "application" or "*")
            {
                if (subtype is "json" or "*") { protobuf = false; return true; }
                if (V2ProtobufSubtypes.Contains(subtype, StringComparer.OrdinalIgnoreCase)) { protobuf = true; return true; }
            }
        }
        protobuf = false;
        return false;
    }

    /// <summary>Whether a /openapi/v3 request accepts JSON, the only v3 representation served. False means 406.</summary>
    public static bool AcceptsV3Json(string? accept) =>
        Clauses(accept).Any(c => c.Type is "application" or "*" && c.Subtype is "json" or "*");

    /// <summary>
    /// For GET /openapi/v3/{key}?hash=H: null when H is absent or current (serve the document,
    /// immutable caching when present); otherwise the URL to redirect to (301), as upstream does
    /// for a stale hash.
    /// </summary>
    public static string? StaleHashRedirect(string documentKey, string? requestedHash, OpenApiDocument current) =>
        string.IsNullOrEmpty(requestedHash) || string.Equals(requestedHash, current.Hash, StringComparison.Ordinal)
            ? null
            : $"/openapi/v3/{documentKey.Trim('/')}?hash={current.Hash}";

    private static IEnumerable<(string Type, string Subtype)> Clauses(string? accept)
    {
        if (string.IsNullOrWhiteSpace(accept)) return [("*", "*")];
        var parsed = new List<(string Type, string Subtype, double Q, int Order)>();
        var order = 0;
        foreach (var raw in accept.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = raw.Split(';', StringSplitOptions.TrimEntries);
            var slash = parts[0].IndexOf('/');
            if (slash <= 0) continue;
            var q = 1.0;
            foreach (var p in parts.Skip(1))
                if (p.StartsWith("q=", StringComparison.OrdinalIgnoreCase) && double.TryParse(p[2..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v))
                    q = v;
            if (q <= 0) continue;
            parsed.Add((parts[0][..slash].ToLowerInvariant(), parts[0][(slash + 1)..].ToLowerInvariant(), q, order++));
        }
        return parsed.OrderByDescending(c => c.Q).ThenBy(c => c.Order).Select(c => (c.Type, c.Subtype));
    }
}
