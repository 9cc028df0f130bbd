using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Skiff.Agent.Cni;

/// <summary>
/// The pod network of one node as a CNI network list for Debian's containernetworking-plugins:
/// a bridge (<see cref="Bridge"/>) that is the pods' gateway, host-local IPAM handing out addresses from the node's pod CIDR, and portmap for
/// hostPort. The loopback interface is not in the list: containerd's CRI brings up every pod's
/// <c>lo</c> itself with the loopback plugin from the same bin dir. The bridge does not masquerade
/// (<c>ipMasq</c> off): <see cref="PodMasquerade"/> does that once for the node, not once per pod.
/// </summary>
public sealed record CniConfig
{
    public const string FileName = "10-skiff.conflist";

    public string NetworkName { get; init; } = "skiff";
    public required string PodCidr { get; init; }
    public string Bridge { get; init; } = "cni0";
    /// <summary>host-local's lease files; under the data dir so a reset of the node resets them.</summary>
    public required string IpamDataDir { get; init; }
    public bool IpMasq { get; init; }
    public int? Mtu { get; init; }

    public static CniConfig For(AgentOptions options) => new()
    {
        PodCidr = options.PodCidr ?? throw new InvalidOperationException("the node has no pod CIDR yet"),
        Bridge = options.CniBridge,
        IpamDataDir = options.Paths.CniDataDir,
    };

    /// <summary>
    /// Writes the node's pod network: this list for <paramref name="options"/>' pod CIDR and its masquerade rules.
    /// Returns whether the list changed. Without iptables the pods still get their network, only not a way off the
    /// node, so that is a warning, not a failure.
    /// </summary>
    public static async Task<bool> ApplyAsync(AgentOptions options, ILogger log, CancellationToken ct)
    {
        var config = For(options);
        var changed = await config.WriteAsync(options.Paths.CniConfDir, ct).ConfigureAwait(false);
        try { await new PodMasquerade(config.PodCidr, config.Bridge).EnsureAsync(ct).ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or System.ComponentModel.Win32Exception)
        {
            log.LogWarning("The pods' traffic off the node is not masqueraded: {Error}", e.Message);
        }
        return changed;
    }

    public string Render()
    {
        if (!IPNetwork.TryParse(PodCidr, out var network))
            throw new ArgumentException($"pod CIDR '{PodCidr}' is not a CIDR", nameof(PodCidr));
        var ipv6 = network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        var bridge = new JsonObject
        {
            ["type"] = "bridge",
            ["bridge"] = Bridge,
            ["isGateway"] = true,
            ["ipMasq"] = IpMasq,
            // Lets a pod reach itself through a Service IP once the proxy exists.
            ["hairpinMode"] = true,
            ["ipam"] = new JsonObject
            {
                ["type"] = "host-local",
                ["ranges"] = new JsonArray(new JsonArray(new JsonObject { ["subnet"] = network.ToString() })),
                ["routes"] = new JsonArray(new JsonObject { ["dst"] = ipv6 ? "::/0" : "0.0.0.0/0" }),
                ["dataDir"] = IpamDataDir,
            },
        };
        if (Mtu is { } mtu) bridge["mtu"] = mtu;
        var list = new JsonObject
        {
            ["cniVersion"] = "1.0.0",
            ["name"] = NetworkName,
            ["plugins"] = new JsonArray(
                bridge,
                new JsonObject { ["type"] = "portmap", ["capabilities"] = new JsonObject { ["portMappings"] = true } }),
        };
        return list.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>
    /// Writes the list into <paramref name="confDir"/> atomically (containerd watches the dir and
    /// must never read half a file). Returns false when the file already had this content.
    /// </summary>
    public async Task<bool> WriteAsync(string confDir, CancellationToken ct)
    {
        Directory.CreateDirectory(confDir);
        var path = Path.Combine(confDir, FileName);
        var text = Render();
        if (File.Exists(path) && await File.ReadAllTextAsync(path, ct).ConfigureAwait(false) == text) return false;
        var temp = path + ".tmp";
        await File.WriteAllTextAsync(temp, text, ct).ConfigureAwait(false);
        File.Move(temp, path, overwrite: true);
        return true;
    }
}
