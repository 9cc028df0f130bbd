using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Skiff.Agent.Containerd;
using Skiff.Agent.Cri;
using Skiff.Agent.Cri.Grpc;

namespace Skiff.Agent;

/// <summary>
/// What <c>skiff killall</c> does for one data dir (k3s-killall.sh's job): stop the skiff processes that run on
/// it, bring its containerd up once more to stop and remove every pod through CRI (so the CNI plugins release
/// IPs, iptables rules and network namespaces properly), stop containerd, kill whatever still mentions the
/// data dir (shims and their containers), unmount everything under it, remove the pods' cgroups, delete the
/// pods' bridge and its masquerade rules.
/// </summary>
public sealed class NodeCleanup(AgentOptions options, ILoggerFactory loggers)
{
    private readonly ILogger _log = loggers.CreateLogger<NodeCleanup>();

    public async Task RunAsync(CancellationToken ct)
    {
        var paths = options.Paths;
        await StopSkiffProcessesAsync(ct).ConfigureAwait(false);
        var bridge = BridgeFromConfig(paths) ?? options.CniBridge;
        var podUids = Directory.Exists(paths.ContainerdRoot) ? await RemovePodsAsync(ct).ConfigureAwait(false) : [];

        var shims = ProcessesMentioning(options.DataDir);
        var doomed = shims.Concat(shims.SelectMany(Descendants)).Distinct().ToList();
        foreach (var pid in doomed) Signals.Send(pid, Signals.SIGKILL);
        if (doomed.Count > 0) _log.LogInformation("Killed {Count} leftover process(es)", doomed.Count);

        foreach (var mount in MountsUnder(options.DataDir))
            await RunAsync("umount", ["-l", mount], ct).ConfigureAwait(false);
        await RemovePodCgroupsAsync(podUids, ct).ConfigureAwait(false);
        if (Directory.Exists($"/sys/class/net/{bridge}"))
        {
            await RunAsync("ip", ["link", "delete", bridge], ct).ConfigureAwait(false);
            _log.LogInformation("Deleted bridge {Bridge}", bridge);
        }
        foreach (var ipv6 in new[] { false, true })
        {
            try { await Cni.PodMasquerade.RemoveAsync(bridge, ipv6, ct).ConfigureAwait(false); }
            catch (Exception e) when (e is IOException or System.ComponentModel.Win32Exception)
            {
                _log.LogDebug("Removing the masquerade rules of {Bridge}: {Error}", bridge, e.Message);
            }
        }
    }

    private async Task StopSkiffProcessesAsync(CancellationToken ct)
    {
        var self = Environment.ProcessId;
        var servers = ProcessesMentioning(options.DataDir)
            .Where(pid => pid != self && Signals.CommandLine(pid) is { } cmd && cmd.Contains("skiff", StringComparison.Ordinal)
                && (cmd.Contains(" server", StringComparison.Ordinal) || cmd.Contains(" agent", StringComparison.Ordinal)))
            .ToList();
        foreach (var pid in servers) Signals.Send(pid, Signals.SIGTERM);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (servers.Any(Signals.IsAlive) && DateTime.UtcNow < deadline) await Task.Delay(100, ct).ConfigureAwait(false);
        foreach (var pid in servers.Where(Signals.IsAlive)) Signals.Send(pid, Signals.SIGKILL);
        if (servers.Count > 0) _log.LogInformation("Stopped {Count} skiff process(es)", servers.Count);
    }

    /// <summary>
    /// The pods' own cgroups, then /kubepods and containerd's /k8s.io where they are left empty. A process killed a
    /// moment ago can still be leaving its cgroup, so a removal the kernel refused is tried again for up to 2 s.
    /// </summary>
    private async Task RemovePodCgroupsAsync(IReadOnlyCollection<string> uids, CancellationToken ct)
    {
        Kubelet.Cgroups.CgroupFs fs;
        try { fs = Kubelet.Cgroups.CgroupFs.Detect(); }
        catch (IOException e) { _log.LogDebug("Cannot read the cgroup mounts: {Error}", e.Message); return; }
        var left = Kubelet.Cgroups.PodCgroups.RemoveAll(fs, uids, _log); // with no pods: only the empty classes
        for (var attempt = 1; attempt < 20 && left.Count > 0; attempt++)
        {
            await Task.Delay(100, ct).ConfigureAwait(false);
            left = Kubelet.Cgroups.PodCgroups.RemoveAll(fs, left, _log);
        }
        if (left.Count > 0) _log.LogWarning("The cgroups of {Count} pod(s) still hold processes and stay: {Uids}", left.Count, string.Join(", ", left));
        // containerd's cgroup for its k8s.io namespace holds containers that have no parent of their own (pods from
        // before pod cgroups, `ctr run`); empty, it is a leftover like the rest.
        fs.RemoveIfEmpty("/k8s.io");
    }

    /// <summary>Stops and removes every pod through CRI; returns the UIDs of the pods it found.</summary>
    private async Task<IReadOnlyCollection<string>> RemovePodsAsync(CancellationToken ct)
    {
        if (options.ContainerRuntimeEndpoint is not null) return [];
        var uids = new HashSet<string>();
        await using var supervisor = new ContainerdSupervisor(options, loggers.CreateLogger<ContainerdSupervisor>(),
            new SupervisorTimings { StartTimeout = TimeSpan.FromSeconds(30), StopGracePeriod = TimeSpan.FromSeconds(5) });
        try
        {
            await supervisor.StartAsync(ct).ConfigureAwait(false);
            using var grpc = new UnixGrpcClient(options.Paths.ContainerdSocket);
            var runtime = new RuntimeServiceClient(grpc) { DefaultTimeout = TimeSpan.FromSeconds(30) };
            var sandboxes = await runtime.ListPodSandboxAsync(ct: ct).ConfigureAwait(false);
            foreach (var s in sandboxes)
                if (s.Metadata?.Uid is { Length: > 0 } uid) uids.Add(uid);
            foreach (var container in await runtime.ListContainersAsync(ct: ct).ConfigureAwait(false))
            {
                try { await runtime.StopContainerAsync(container.Id, 0, ct).ConfigureAwait(false); } catch (RpcException) { }
            }
            foreach (var s in sandboxes)
            {
                try
                {
                    await runtime.StopPodSandboxAsync(s.Id, ct).ConfigureAwait(false);
                    await runtime.RemovePodSandboxAsync(s.Id, ct).ConfigureAwait(false);
                }
                catch (RpcException e) { _log.LogWarning("Removing pod sandbox {Id} failed: {Error}", s.Id, e.Message); }
            }
            if (sandboxes.Count > 0) _log.LogInformation("Stopped and removed {Count} pod sandbox(es)", sandboxes.Count);
        }
        catch (Exception e) when (e is ContainerdStartException or RpcException or IOException)
        {
            _log.LogWarning("Could not remove pods through containerd ({Error}); killing their processes instead", e.Message);
        }
        finally
        {
            await supervisor.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        return uids;
    }

    private static string? BridgeFromConfig(AgentPaths paths)
    {
        var file = Path.Combine(paths.CniConfDir, Cni.CniConfig.FileName);
        try
        {
            if (!File.Exists(file)) return null;
            var plugins = JsonNode.Parse(File.ReadAllText(file))?["plugins"]?.AsArray();
            return plugins?.Select(p => p?["bridge"]?.GetValue<string>()).FirstOrDefault(b => b is not null);
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or InvalidOperationException) { return null; }
    }

    private static List<int> ProcessesMentioning(string marker)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            if (Signals.CommandLine(pid) is { } cmd && cmd.Contains(marker, StringComparison.Ordinal)) found.Add(pid);
        }
        return found;
    }

    private static IEnumerable<int> Descendants(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ppid = int.Parse(fields[1]);
                if (!children.TryGetValue(ppid, out var list)) children[ppid] = list = [];
                list.Add(pid);
            }
            catch (Exception e) when (e is IOException or FormatException or ArgumentOutOfRangeException) { }
        }
        var stack = new Stack<int>([root]);
        while (stack.TryPop(out var p))
            foreach (var c in children.GetValueOrDefault(p) ?? [])
            {
                yield return c;
                stack.Push(c);
            }
    }

    private static IEnumerable<string> MountsUnder(string root) =>
        File.ReadAllLines("/proc/self/mountinfo")
            .Select(line => line.Split(' ')[4].Replace("\\040", " "))
            .Where(m => m == root || m.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal))
            .Distinct()
            .OrderByDescending(m => m.Length)
            .ToList();

    private async Task RunAsync(string file, string[] args, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = await p.StandardError.ReadToEndAsync(ct).ConfigureAwait(false);
        await p.WaitForExitAsync(ct).ConfigureAwait(false);
        if (p.ExitCode != 0) _log.LogDebug("{File} {Args}: {Error}", file, string.Join(' ', args), err.Trim());
    }
}
