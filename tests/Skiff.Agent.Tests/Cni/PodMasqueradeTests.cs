using System.Diagnostics;
using Skiff.Agent.Cni;
using Skiff.Agent.Tests.Support;

namespace Skiff.Agent.Tests.Cni;

public sealed class PodMasqueradeTests
{
    [Fact]
    public void The_chain_is_named_after_the_bridge_and_the_rules_keep_pod_to_pod_and_multicast_unmasqueraded()
    {
        var m = new PodMasquerade("10.42.0.7/24", "cni0", (_, _, _) => throw new InvalidOperationException("no commands"));

        Assert.Equal("SKIFF-MASQ-cni0", m.Chain);
        Assert.Equal("10.42.0.0/24", m.PodCidr);
        Assert.Equal(["-s", "10.42.0.0/24", "-j", "SKIFF-MASQ-cni0"], m.JumpRule);
        Assert.Equal(
            [["-d", "10.42.0.0/24", "-j", "RETURN"], ["-d", "224.0.0.0/4", "-j", "RETURN"], ["-j", "MASQUERADE"]],
            m.ChainRules);
        var v6 = new PodMasquerade("fd00:42::/64", "cni0");
        Assert.True(v6.Ipv6);
        Assert.Equal(["-d", "ff00::/8", "-j", "RETURN"], v6.ChainRules[1]);

        Assert.Throws<ArgumentException>(() => new PodMasquerade("10.42.0.1", "cni0"));
        Assert.Throws<ArgumentException>(() => PodMasquerade.ChainFor("a-bridge-name-too-long"));
        Assert.Throws<ArgumentException>(() => PodMasquerade.ChainFor("a b"));
    }

    [Fact]
    public async Task A_failing_iptables_is_an_IOException_with_its_message()
    {
        var m = new PodMasquerade("10.42.0.0/24", "cni0",
            (_, args, _) => Task.FromResult(args.Contains("-N") ? (0, "") : (4, "iptables v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied")));

        var e = await Assert.ThrowsAsync<IOException>(() => m.EnsureAsync(CancellationToken.None));
        Assert.Contains("Permission denied", e.Message);
        Assert.Contains("-F SKIFF-MASQ-cni0", e.Message);
    }

    [RootFact]
    public async Task Ensuring_twice_leaves_one_jump_a_new_pod_cidr_replaces_it_and_removing_leaves_nothing()
    {
        var bridge = "skmq" + Guid.NewGuid().ToString("N")[..6];
        var chain = PodMasquerade.ChainFor(bridge);
        try
        {
            await new PodMasquerade("10.248.1.0/24", bridge).EnsureAsync(CancellationToken.None);
            await new PodMasquerade("10.248.1.0/24", bridge).EnsureAsync(CancellationToken.None);

            Assert.Equal(["-A POSTROUTING -s 10.248.1.0/24 -j " + chain], await PostroutingJumpsAsync(chain));
            Assert.Equal(
                [$"-N {chain}", $"-A {chain} -d 10.248.1.0/24 -j RETURN", $"-A {chain} -d 224.0.0.0/4 -j RETURN", $"-A {chain} -j MASQUERADE"],
                await RulesAsync(chain));

            await new PodMasquerade("10.248.2.0/24", bridge).EnsureAsync(CancellationToken.None);
            Assert.Equal(["-A POSTROUTING -s 10.248.2.0/24 -j " + chain], await PostroutingJumpsAsync(chain));
            Assert.Contains($"-A {chain} -d 10.248.2.0/24 -j RETURN", await RulesAsync(chain));

            await PodMasquerade.RemoveAsync(bridge, ipv6: false, CancellationToken.None);
            Assert.Empty(await PostroutingJumpsAsync(chain));
            Assert.NotEqual(0, (await Host.RunAsync("iptables", "-w", "-t", "nat", "-S", chain)).Exit);
            await PodMasquerade.RemoveAsync(bridge, ipv6: false, CancellationToken.None); // nothing there: no error
        }
        finally
        {
            await PodMasquerade.RemoveAsync(bridge, ipv6: false, CancellationToken.None);
        }
    }

    /// <summary>
    /// Real traffic in network namespaces, no containerd: a "pod" on a bridge with the pod CIDR, a second pod on the
    /// same bridge, and an "outside" host behind a veth with no route back to the pods. busybox httpd answers with the
    /// client address it saw (CGI's REMOTE_ADDR).
    /// </summary>
    [RootFact]
    public async Task Traffic_off_the_pod_network_leaves_with_the_nodes_address_and_pod_to_pod_keeps_the_pods()
    {
        var id = Guid.NewGuid().ToString("N")[..6];
        var bridge = "skmq" + id;
        string pod1 = "skmqa" + id, pod2 = "skmqb" + id, outside = "skmqo" + id;
        using var www = new TempDir();
        var cgi = Directory.CreateDirectory(www.Combine("cgi-bin")).FullName;
        var script = Path.Combine(cgi, "addr");
        await File.WriteAllTextAsync(script, "#!/bin/busybox sh\necho 'Content-Type: text/plain'\necho\necho \"$REMOTE_ADDR\"\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var servers = new List<Process>();
        var forward = new[] { "-i", bridge, "-j", "ACCEPT" };
        var back = new[] { "-o", bridge, "-j", "ACCEPT" };
        try
        {
            await MustAsync("ip", "link", "add", bridge, "type", "bridge");
            await MustAsync("ip", "addr", "add", "10.248.9.1/24", "dev", bridge);
            await MustAsync("ip", "link", "set", bridge, "up");
            await PodAsync(pod1, "10.248.9.2", "a" + id, bridge);
            await PodAsync(pod2, "10.248.9.3", "b" + id, bridge);
            await MustAsync("ip", "netns", "add", outside);
            await MustAsync("ip", "link", "add", "o" + id, "type", "veth", "peer", "name", "eth0", "netns", outside);
            await MustAsync("ip", "addr", "add", "198.51.100.1/30", "dev", "o" + id);
            await MustAsync("ip", "link", "set", "o" + id, "up");
            await InAsync(outside, "ip", "addr", "add", "198.51.100.2/30", "dev", "eth0");
            await InAsync(outside, "ip", "link", "set", "eth0", "up");
            await MustAsync("sysctl", "-qw", "net.ipv4.ip_forward=1");
            // The host's FORWARD policy is not this test's to rely on.
            await MustAsync("iptables", ["-w", "-I", "FORWARD", .. forward]);
            await MustAsync("iptables", ["-w", "-I", "FORWARD", .. back]);
            servers.Add(Serve(outside, "198.51.100.2", www.Path));
            servers.Add(Serve(pod2, "10.248.9.3", www.Path));

            await new PodMasquerade("10.248.9.0/24", bridge).EnsureAsync(CancellationToken.None);

            Assert.Equal("198.51.100.1", await FetchFromAsync(pod1, "198.51.100.2"));
            Assert.Equal("10.248.9.2", await FetchFromAsync(pod1, "10.248.9.3"));
        }
        finally
        {
            foreach (var s in servers) { try { s.Kill(); } catch (InvalidOperationException) { } s.Dispose(); }
            await Host.RunAsync("iptables", ["-w", "-D", "FORWARD", .. forward]);
            await Host.RunAsync("iptables", ["-w", "-D", "FORWARD", .. back]);
            await PodMasquerade.RemoveAsync(bridge, ipv6: false, CancellationToken.None);
            foreach (var ns in new[] { pod1, pod2, outside }) await Host.RunAsync("ip", "netns", "del", ns);
            await Host.DeleteLinkAsync(bridge);
        }
    }

    private static async Task PodAsync(string ns, string ip, string hostSide, string bridge)
    {
        await MustAsync("ip", "netns", "add", ns);
        await MustAsync("ip", "link", "add", hostSide, "type", "veth", "peer", "name", "eth0", "netns", ns);
        await MustAsync("ip", "link", "set", hostSide, "master", bridge, "up");
        await InAsync(ns, "ip", "addr", "add", ip + "/24", "dev", "eth0");
        await InAsync(ns, "ip", "link", "set", "eth0", "up");
        await InAsync(ns, "ip", "route", "add", "default", "via", "10.248.9.1");
    }

    private static Process Serve(string ns, string ip, string home)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "netns", "exec", ns, "busybox", "httpd", "-f", "-p", ip + ":8080", "-h", home }) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    /// <summary>What the server at <paramref name="ip"/> saw as the client's address, once it answers.</summary>
    private static async Task<string> FetchFromAsync(string ns, string ip)
    {
        return await Eventually.WaitAsync<string>(async () =>
        {
            // busybox's nc, not its wget: the static wget dies of SIGSEGV outside a container here.
            var r = await Host.RunAsync("ip", "netns", "exec", ns, "busybox", "sh", "-c",
                $"printf 'GET /cgi-bin/addr HTTP/1.0\\r\\n\\r\\n' | busybox nc -w 3 {ip} 8080");
            var lines = r.Stdout.TrimEnd().Split('\n', StringSplitOptions.TrimEntries);
            return r.Exit == 0 && lines.Length > 0 && lines[0].Contains(" 200 ", StringComparison.Ordinal) ? lines[^1] : null;
        }, TimeSpan.FromSeconds(15), $"an answer from {ip} in {ns}");
    }

    private static async Task<List<string>> PostroutingJumpsAsync(string chain) =>
        (await RulesAsync("POSTROUTING")).Where(r => r.EndsWith("-j " + chain, StringComparison.Ordinal)).ToList();

    private static async Task<List<string>> RulesAsync(string chain)
    {
        var r = await Host.RunAsync("iptables", "-w", "-t", "nat", "-S", chain);
        Assert.True(r.Exit == 0, r.Stderr);
        return r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
    }

    private static Task InAsync(string ns, params string[] args) => MustAsync("ip", ["netns", "exec", ns, .. args]);

    private static async Task MustAsync(string file, params string[] args)
    {
        var r = await Host.RunAsync(file, args);
        Assert.True(r.Exit == 0, $"{file} {string.Join(' ', args)}: {r.Stderr}");
    }
}
