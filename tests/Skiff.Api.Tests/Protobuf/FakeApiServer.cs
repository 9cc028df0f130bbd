using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Skiff.Api.Meta;
using Skiff.Api.Protobuf;

namespace Skiff.Api.Tests.Protobuf;

/// <summary>One request body kubectl sent, and what the decoder made of it.</summary>
internal sealed record CapturedRequest(string Method, string Path, string? ContentType, byte[] Body, JsonObject? Decoded, string? Error);

/// <summary>
/// Just enough of an API server on loopback HTTP for kubectl's typed create commands: legacy discovery built
/// from <see cref="BuiltinResources"/>, and a POST handler that records the body, decodes protobuf with
/// <see cref="KubernetesProtobuf"/> and answers 201 with the JSON (or 400 with the decoder's error).
/// </summary>
internal sealed class FakeApiServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public FakeApiServer()
    {
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public ConcurrentQueue<CapturedRequest> Writes { get; } = new();

    public ConcurrentQueue<string> Reads { get; } = new();

    /// <summary>Created objects by their path, so a later command (expose, autoscale) can read them back.</summary>
    private readonly ConcurrentDictionary<string, JsonObject> _objects = new();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }
            try
            {
                await HandleAsync(context);
            }
            catch (Exception e)
            {
                await ReplyAsync(context.Response, 500, Status(500, "InternalError", e.ToString()));
            }
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var path = request.Url!.AbsolutePath.TrimEnd('/');
        if (request.HttpMethod == "GET")
        {
            Reads.Enqueue(path);
            var found = Discovery(path) ?? (_objects.TryGetValue(path, out var stored) ? stored : null);
            await ReplyAsync(context.Response, found is null ? 404 : 200, found ?? Status(404, "NotFound", path));
            return;
        }
        using var buffer = new MemoryStream();
        await request.InputStream.CopyToAsync(buffer);
        var body = buffer.ToArray();
        JsonObject? decoded = null;
        string? error = null;
        if (request.ContentType?.StartsWith(KubernetesProtobuf.MediaType, StringComparison.Ordinal) == true)
            KubernetesProtobuf.TryDecodeToJson(body, out decoded, out error);
        else
            decoded = JsonNode.Parse(body) as JsonObject;
        Writes.Enqueue(new CapturedRequest(request.HttpMethod, path, request.ContentType, body, decoded, error));
        if (decoded is null)
        {
            await ReplyAsync(context.Response, 400, Status(400, "BadRequest", error ?? "no body"));
            return;
        }
        var reply = decoded.DeepClone().AsObject();
        if (reply["metadata"] is JsonObject meta && meta["name"] is null) meta["name"] = "generated";
        // Review kinds answer in status; give kubectl something to print.
        var kind = (string?)reply["kind"];
        if (kind == "TokenRequest")
            reply["status"] = new JsonObject { ["token"] = "fake-token", ["expirationTimestamp"] = "2030-01-01T00:00:00Z" };
        else if (kind == "SelfSubjectAccessReview")
            reply["status"] = new JsonObject { ["allowed"] = true };
        else if (kind == "SelfSubjectRulesReview")
            reply["status"] = new JsonObject { ["resourceRules"] = new JsonArray(), ["incomplete"] = false };
        else if (kind == "SelfSubjectReview")
            reply["status"] = new JsonObject { ["userInfo"] = new JsonObject { ["username"] = "alice" } };
        else
            _objects[$"{path}/{reply["metadata"]?["name"]}"] = reply;
        await ReplyAsync(context.Response, 201, reply);
    }

    /// <summary>Legacy discovery (APIVersions, APIGroupList, APIResourceList); kubectl falls back to it when
    /// the aggregated form is not offered.</summary>
    private JsonObject? Discovery(string path)
    {
        var all = BuiltinResources.All;
        if (path == "/api")
            return new JsonObject
            {
                ["kind"] = "APIVersions",
                ["versions"] = new JsonArray("v1"),
                ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = $"127.0.0.1:{Port}" }),
            };
        if (path == "/apis")
        {
            var groups = new JsonArray();
            foreach (var byGroup in all.Where(r => r.Group != "").GroupBy(r => r.Group))
            {
                var versions = byGroup.Select(r => r.Version).Distinct().ToList();
                var preferred = versions.Contains("v1") ? "v1" : versions[0];
                JsonObject Version(string v) => new() { ["groupVersion"] = $"{byGroup.Key}/{v}", ["version"] = v };
                groups.Add(new JsonObject
                {
                    ["name"] = byGroup.Key,
                    ["versions"] = new JsonArray([.. versions.Select(v => (JsonNode)Version(v))]),
                    ["preferredVersion"] = Version(preferred),
                });
            }
            return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
        }
        var (group, version) = path.StartsWith("/api/", StringComparison.Ordinal) && path.Count(c => c == '/') == 2
            ? ("", path[5..])
            : path.StartsWith("/apis/", StringComparison.Ordinal) && path.Count(c => c == '/') == 3
                ? (path.Split('/')[2], path.Split('/')[3])
                : (null, null);
        if (group is null) return null;
        var resources = all.Where(r => r.Group == group && r.Version == version).ToList();
        if (resources.Count == 0) return null;
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group == "" ? version : $"{group}/{version}",
            ["resources"] = new JsonArray([.. resources.Select(r => (JsonNode)new JsonObject
            {
                ["name"] = r.Name,
                ["singularName"] = "",
                ["namespaced"] = r.Namespaced,
                ["kind"] = r.Kind,
                ["verbs"] = new JsonArray([.. r.Verbs.Select(v => (JsonNode)v)]),
            })]),
        };
    }

    private static JsonObject Status(int code, string reason, string message) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["status"] = "Failure",
        ["message"] = message,
        ["reason"] = reason,
        ["code"] = code,
    };

    private static async Task ReplyAsync(HttpListenerResponse response, int code, JsonObject body)
    {
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        response.StatusCode = code;
        response.ContentType = "application/json";
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
