using System.Text.Encodings.Web;
using System.Text.Json;

namespace Skiff.ApiServer.OpenApi;

internal static class JsonOutput
{
    /// <summary>
    /// Relaxed escaping: the documents are served as application/json, never embedded in HTML,
    /// and "+" in media types ("application/json-patch+json") should stay readable.
    /// </summary>
    public static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
