using System.Text.Json.Nodes;

namespace Skiff.Api.Join;

/// <summary>
/// The join protocol's paths and bodies (Skiff's own, modelled on k3s's supervisor endpoints):
/// <c>GET /cacerts</c> (anonymous) answers the server CA bundle; <c>POST /v1-skiff/node</c> with HTTP basic
/// credentials from the <see cref="JoinToken"/> and a <see cref="NodeJoinRequest"/> answers a
/// <see cref="NodeJoinResponse"/>: the node's client and kubelet serving certificates and the CAs.
/// </summary>
public static class NodeJoinPaths
{
    public const string CaCerts = "/cacerts";
    public const string Node = "/v1-skiff/node";
    public const string Prefix = "/v1-skiff/";
}

/// <summary>
/// What a joining agent asks for. <see cref="NodePassword"/> is the agent's own random secret
/// (<c>&lt;data-dir&gt;/agent/node-password</c>): the first agent to claim a node name binds it, so another
/// holder of the cluster token cannot take over an existing node's identity (k3s's node password).
/// </summary>
public sealed record NodeJoinRequest(string NodeName, IReadOnlyList<string> NodeIps, string NodePassword)
{
    public JsonObject ToJson() => new()
    {
        ["nodeName"] = NodeName,
        ["nodeIPs"] = new JsonArray([.. NodeIps.Select(ip => (JsonNode)JsonValue.Create(ip))]),
        ["nodePassword"] = NodePassword,
    };

    /// <summary>Reads a request body; <see cref="FormatException"/> names the field that is missing or wrong.</summary>
    public static NodeJoinRequest FromJson(JsonNode? node)
    {
        if (node is not JsonObject o) throw new FormatException("the body must be a JSON object");
        var name = Text(o, "nodeName");
        var password = Text(o, "nodePassword");
        var ips = new List<string>();
        if (o["nodeIPs"] is JsonArray a)
            foreach (var ip in a)
                ips.Add(ip is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new FormatException("nodeIPs must be a list of strings"));
        else if (o["nodeIPs"] is not null) throw new FormatException("nodeIPs must be a list of strings");
        return new NodeJoinRequest(name, ips, password);
    }

    internal static string Text(JsonObject o, string field) =>
        o[field] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : throw new FormatException($"{field} is required");
}

/// <summary>The server's answer: PEM certificates and keys for the node, and the two CAs it must trust.</summary>
public sealed record NodeJoinResponse(
    string ServerCaPem,
    string ClientCaPem,
    string ClientCertificatePem,
    string ClientKeyPem,
    string ServingCertificatePem,
    string ServingKeyPem)
{
    public JsonObject ToJson() => new()
    {
        ["serverCA"] = ServerCaPem,
        ["clientCA"] = ClientCaPem,
        ["clientCertificate"] = ClientCertificatePem,
        ["clientKey"] = ClientKeyPem,
        ["servingCertificate"] = ServingCertificatePem,
        ["servingKey"] = ServingKeyPem,
    };

    public static NodeJoinResponse FromJson(JsonNode? node)
    {
        if (node is not JsonObject o) throw new FormatException("the server's answer is not a JSON object");
        return new NodeJoinResponse(
            NodeJoinRequest.Text(o, "serverCA"), NodeJoinRequest.Text(o, "clientCA"),
            NodeJoinRequest.Text(o, "clientCertificate"), NodeJoinRequest.Text(o, "clientKey"),
            NodeJoinRequest.Text(o, "servingCertificate"), NodeJoinRequest.Text(o, "servingKey"));
    }
}
