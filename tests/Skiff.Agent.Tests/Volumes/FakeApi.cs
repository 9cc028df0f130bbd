using System.Net;
using System.Text;
using Skiff.Client;
using Skiff.Client.Rest;

namespace Skiff.Agent.Tests.Volumes;

/// <summary>An in-memory API server for the volume manager: GETs of stored objects and token requests.</summary>
internal sealed class FakeApi : HttpMessageHandler
{
    private readonly Dictionary<string, string> _objects = new(StringComparer.Ordinal);
    private int _tokens;

    public List<string> Requests { get; } = [];
    public int TokensIssued => _tokens;

    public KubeClient Client() => new(new ApiConnection(this, new Uri("https://fake.invalid")));

    public void Put(string path, string json)
    {
        lock (_objects) _objects[path] = json;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var path = request.RequestUri!.AbsolutePath;
        lock (Requests) Requests.Add($"{request.Method} {path}");
        if (request.Method == HttpMethod.Post && path.EndsWith("/token", StringComparison.Ordinal))
        {
            var body = await request.Content!.ReadAsStringAsync(ct);
            var n = Interlocked.Increment(ref _tokens);
            var expires = DateTime.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ");
            var spec = System.Text.Json.Nodes.JsonNode.Parse(body)!["spec"]!.ToJsonString();
            return Json(HttpStatusCode.Created,
                "{\"kind\":\"TokenRequest\",\"apiVersion\":\"authentication.k8s.io/v1\",\"spec\":" + spec
                + ",\"status\":{\"token\":\"token-" + n + "\",\"expirationTimestamp\":\"" + expires + "\"}}");
        }
        string? json;
        lock (_objects) _objects.TryGetValue(path, out json);
        return json is null
            ? Json(HttpStatusCode.NotFound, """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}""")
            : Json(HttpStatusCode.OK, json);
    }

    private static HttpResponseMessage Json(HttpStatusCode code, string json) =>
        new(code) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
}
