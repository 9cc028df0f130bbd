using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Skiff.ApiServer.Errors;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Join;

/// <summary>
/// Node names bound to node passwords, as k3s's node-password Secrets: <c>kube-system/&lt;node&gt;.node-password.skiff</c>
/// holds the SHA-256 of the password of the first agent that claimed the name, joined or the server's own, so no other
/// machine can take that name. Stateless; safe for concurrent calls.
/// </summary>
public static class NodePasswords
{
    public const string Suffix = ".node-password.skiff";
    public const string SecretType = "skiff.io/node-password";

    /// <summary>
    /// Binds <paramref name="nodeName"/> to <paramref name="password"/> the first time; later calls must present the
    /// same one, or get 403 Forbidden naming the Secret to delete. Two first binds racing for a name: one create wins,
    /// the other re-reads and is judged against the winner.
    /// </summary>
    public static async Task BindAsync(ObjectRegistry objects, string nodeName, string password, ILogger log, CancellationToken ct)
    {
        var secrets = objects.Resources.Find("", "v1", "secrets")!;
        var name = nodeName + Suffix;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(password)));
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var existing = await objects.TryGetAsync(secrets, "kube-system", name, ct);
            if (existing is not null)
            {
                var stored = StoredHash(existing);
                if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(stored), Encoding.UTF8.GetBytes(hash))) return;
                log.LogWarning("Refused node {Node}: its node password does not match the one it first joined with", nodeName);
                throw new StatusException(403, "Forbidden",
                    $"node \"{nodeName}\" is already joined with another node password: another machine has this name, or the agent's node-password file was replaced " +
                    $"(delete Secret kube-system/{name} to let a new machine take the name)");
            }
            var secret = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Secret",
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "kube-system" },
                ["type"] = SecretType,
                ["immutable"] = true,
                ["data"] = new JsonObject { ["hash"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(hash)) },
            };
            try
            {
                await objects.CreateAsync(secrets, "kube-system", secret, dryRun: false, ct);
                return;
            }
            catch (StatusException e) when (e.Code == 409) { }
        }
        throw StatusException.Conflict(secrets.GroupResource, name, "the node password changed while it was being checked; try again");
    }

    /// <summary>The hash a node-password Secret holds; empty (matching nothing) when someone edited it into another shape.</summary>
    private static string StoredHash(JsonObject secret)
    {
        if (secret["data"]?["hash"] is not JsonValue v || !v.TryGetValue<string>(out var b64)) return "";
        try { return Encoding.UTF8.GetString(Convert.FromBase64String(b64)); }
        catch (FormatException) { return ""; }
    }
}
