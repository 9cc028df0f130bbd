using System.Text;
using System.Text.Json;

namespace Skiff.ApiServer.Registry;

/// <summary>
/// The opaque <c>continue</c> token of paged lists, in upstream's shape: base64 of
/// {"v":"meta.k8s.io/v1","rv":REVISION,"start":"KEY-SUFFIX"}, the suffix relative to the listed prefix.
/// </summary>
public static class ContinueToken
{
    public static string Encode(long revision, string startSuffix)
    {
        var json = new System.Text.Json.Nodes.JsonObject { ["v"] = "meta.k8s.io/v1", ["rv"] = revision, ["start"] = startSuffix }.ToJsonString();
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static bool TryDecode(string token, out long revision, out string startSuffix)
    {
        revision = 0;
        startSuffix = "";
        try
        {
            var b64 = token.Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=');
            using var doc = JsonDocument.Parse(Convert.FromBase64String(b64));
            var root = doc.RootElement;
            if (root.GetProperty("v").GetString() != "meta.k8s.io/v1") return false;
            revision = root.GetProperty("rv").GetInt64();
            startSuffix = root.GetProperty("start").GetString() ?? "";
            return revision > 0 && !startSuffix.Contains("..") && !startSuffix.StartsWith('/');
        }
        catch (Exception e) when (e is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }
}
