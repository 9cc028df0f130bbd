using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Skiff.Agent.Cni;

/// <summary>
/// One node-wide source NAT for the pods' traffic that leaves the pod network, instead of the bridge plugin's
/// <c>ipMasq</c>: that one adds a chain and two rules for every pod at RunPodSandbox (and removes them at teardown),
/// each an iptables call serialized on the xtables lock, which measured ~40 ms of every pod's start and ~0.4 s of a
/// burst of ten (bench/README.md, node). Flannel does the same with one rule per node. In the nat table:
/// <code>
/// POSTROUTING -s &lt;pod CIDR&gt; -j SKIFF-MASQ-&lt;bridge&gt;
/// SKIFF-MASQ-&lt;bridge&gt; -d &lt;pod CIDR&gt; -j RETURN      (pod to pod on this node: keep the source)
/// SKIFF-MASQ-&lt;bridge&gt; -d 224.0.0.0/4 -j RETURN      (multicast, as the bridge plugin's rules)
/// SKIFF-MASQ-&lt;bridge&gt; -j MASQUERADE
/// </code>
/// The chain is named after the bridge, so two agents on one host (the tests, the benchmarks) keep theirs apart.
/// The rules outlive the agent (a restart keeps its pods' connections); <c>skiff killall</c> removes them.
/// </summary>
public sealed class PodMasquerade
{
    private const string Prefix = "SKIFF-MASQ-";
    private readonly Func<string, IReadOnlyList<string>, CancellationToken, Task<(int Code, string Output)>> _run;

    public PodMasquerade(string podCidr, string bridge,
        Func<string, IReadOnlyList<string>, CancellationToken, Task<(int Code, string Output)>>? run = null)
    {
        if (!IPNetwork.TryParse(podCidr, out var network))
            throw new ArgumentException($"pod CIDR '{podCidr}' is not a CIDR", nameof(podCidr));
        PodCidr = network.ToString();
        Ipv6 = network.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6;
        Chain = ChainFor(bridge);
        _run = run ?? RunProcessAsync;
    }

    public string PodCidr { get; }
    public bool Ipv6 { get; }
    public string Chain { get; }
    private string Tool => Ipv6 ? "ip6tables" : "iptables";

    /// <summary>The chain for a bridge; iptables allows chain names of up to 28 characters, and a bridge's is at most 15.</summary>
    public static string ChainFor(string bridge)
    {
        if (string.IsNullOrEmpty(bridge) || bridge.Length > 15 || bridge.Any(c => char.IsWhiteSpace(c) || c == '/'))
            throw new ArgumentException($"'{bridge}' is not a network interface name", nameof(bridge));
        return Prefix + bridge;
    }

    /// <summary>The chain's rules, in order, as iptables arguments after <c>-A &lt;chain&gt;</c>.</summary>
    public IReadOnlyList<string[]> ChainRules =>
    [
        ["-d", PodCidr, "-j", "RETURN"],
        ["-d", Ipv6 ? "ff00::/8" : "224.0.0.0/4", "-j", "RETURN"],
        ["-j", "MASQUERADE"],
    ];

    /// <summary>The POSTROUTING rule that sends the pods' traffic through the chain.</summary>
    public string[] JumpRule => ["-s", PodCidr, "-j", Chain];

    /// <summary>
    /// Creates or rewrites the chain and adds the one jump to it; idempotent, so every start calls it. A jump left by an
    /// earlier pod CIDR on the same bridge is removed.
    /// </summary>
    public async Task EnsureAsync(CancellationToken ct)
    {
        var created = await _run(Tool, ["-w", "-t", "nat", "-N", Chain], ct).ConfigureAwait(false);
        if (created.Code != 0 && !created.Output.Contains("exists", StringComparison.OrdinalIgnoreCase))
            throw new IOException($"{Tool} -t nat -N {Chain}: {created.Output.Trim()}");
        await MustAsync(["-w", "-t", "nat", "-F", Chain], ct).ConfigureAwait(false);
        foreach (var rule in ChainRules) await MustAsync(["-w", "-t", "nat", "-A", Chain, .. rule], ct).ConfigureAwait(false);

        var jumps = await JumpsAsync(ct).ConfigureAwait(false);
        var wanted = false;
        foreach (var jump in jumps)
        {
            if (jump.SequenceEqual(JumpRule) && !wanted) { wanted = true; continue; }
            await MustAsync(["-w", "-t", "nat", "-D", "POSTROUTING", .. jump], ct).ConfigureAwait(false);
        }
        if (!wanted) await MustAsync(["-w", "-t", "nat", "-A", "POSTROUTING", .. JumpRule], ct).ConfigureAwait(false);
    }

    /// <summary>Removes the jumps and the chain; nothing to do when they are not there.</summary>
    public static async Task RemoveAsync(string bridge, bool ipv6, CancellationToken ct,
        Func<string, IReadOnlyList<string>, CancellationToken, Task<(int Code, string Output)>>? run = null)
    {
        run ??= RunProcessAsync;
        var tool = ipv6 ? "ip6tables" : "iptables";
        var chain = ChainFor(bridge);
        foreach (var jump in await JumpsAsync(tool, chain, run, ct).ConfigureAwait(false))
            await run(tool, ["-w", "-t", "nat", "-D", "POSTROUTING", .. jump], ct).ConfigureAwait(false);
        await run(tool, ["-w", "-t", "nat", "-F", chain], ct).ConfigureAwait(false);
        await run(tool, ["-w", "-t", "nat", "-X", chain], ct).ConfigureAwait(false);
    }

    private Task<List<string[]>> JumpsAsync(CancellationToken ct) => JumpsAsync(Tool, Chain, _run, ct);

    /// <summary>The POSTROUTING rules that jump to the chain, as arguments after <c>-A POSTROUTING</c>.</summary>
    private static async Task<List<string[]>> JumpsAsync(string tool, string chain,
        Func<string, IReadOnlyList<string>, CancellationToken, Task<(int Code, string Output)>> run, CancellationToken ct)
    {
        var (code, output) = await run(tool, ["-w", "-t", "nat", "-S", "POSTROUTING"], ct).ConfigureAwait(false);
        if (code != 0) throw new IOException($"{tool} -t nat -S POSTROUTING: {output.Trim()}");
        var found = new List<string[]>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Our jumps carry no comment, so splitting on spaces is exact for them; other rules are only compared.
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 3 || words[0] != "-A" || words[1] != "POSTROUTING") continue;
            var rule = words[2..];
            var j = Array.IndexOf(rule, "-j");
            if (j >= 0 && j + 1 < rule.Length && rule[j + 1] == chain) found.Add(rule);
        }
        return found;
    }

    private async Task MustAsync(string[] args, CancellationToken ct)
    {
        var (code, output) = await _run(Tool, args, ct).ConfigureAwait(false);
        if (code != 0) throw new IOException($"{Tool} {string.Join(' ', args)}: {output.Trim()}");
    }

    private static async Task<(int Code, string Output)> RunProcessAsync(string file, IReadOnlyList<string> args, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct).ConfigureAwait(false);
        return (p.ExitCode, await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false));
    }
}
