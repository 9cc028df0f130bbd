using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Skiff.Api.Models.Core.V1;
using Skiff.Client;
using Skiff.Client.Watch;

namespace Skiff.Bench;

/// <summary>
/// <c>node</c>: the node agent's two measures, as root. A throw-away <c>skiff server --disable-agent</c> and a
/// separate <c>skiff agent</c> joined to it with the token (so the agent's memory is its own process), with its own
/// data dir, bridge and the air-gap test images (out/images). Then:
/// <list type="number">
/// <item>agent RSS with no pods, after an idle pause;</item>
/// <item>pod startup latency: <c>--pods</c> busybox pods (spec.nodeName set, so the scheduler is not measured) one at
/// a time, each from just before its POST to the watch event in which all its containers are running, each followed by
/// the same image started by <c>ctr run -d</c> on the agent's own containerd (no network namespace, no CNI: the floor
/// of what containerd and runc cost); the agent's RSS with those pods running;</item>
/// <item>then <c>--rounds</c> rounds of <c>--burst</c> pods created at once followed by as many <c>ctr run</c> at once,
/// everything removed between bursts. In step, so that both see the same machine.</item>
/// </list>
/// Each burst also reports the CPU time it took: the machine's busy time and the agent's, the server's and containerd's.
/// Everything is removed at the end with <c>skiff killall</c> on the agent's data dir.
/// </summary>
internal static class NodeBenchCommand
{
    private const string Image = "docker.io/library/busybox:latest";
    private const string Namespace = "nodebench";

    public static async Task<int> RunAsync(string[] args)
    {
        // The bench's own client (its POSTs and its watch) runs inside the pod bursts, so it runs fully compiled from
        // the start: with tiered compilation its hot methods were recompiled in the background during the bursts
        // (0.17 s of a 10-pod burst's CPU, against 0.05 s without). Re-run once with tiering off; the variable is then
        // removed so that the server and agent it starts (a JIT build of skiff among them) run as they ship.
        if (Environment.GetEnvironmentVariable(TieringVariable) != "0") return await RerunWithoutTieringAsync(args);
        Environment.SetEnvironmentVariable(TieringVariable, null);

        var pods = BenchArgs.Int(args, "--pods", 30);
        var burst = BenchArgs.Int(args, "--burst", 10);
        var rounds = BenchArgs.Int(args, "--rounds", 3);
        var idle = TimeSpan.FromSeconds(BenchArgs.Int(args, "--idle", 15));
        var skiff = BenchArgs.SkiffBinary(args);
        var images = ImagesDir();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(20));
        var ct = cts.Token;

        var cidr = $"10.{Random.Shared.Next(100, 250)}.0.0/16";
        await using var server = await SkiffServerProcess.StartAsync(skiff, new Dictionary<string, string?>(), ct, ["--cluster-cidr", cidr]);
        var root = Path.GetDirectoryName(server.KubeconfigPath)!;
        var agentDir = Directory.CreateTempSubdirectory("skiff-nodebench-agent-").FullName;
        var node = "bench-" + Guid.NewGuid().ToString("N")[..6];
        var socket = Path.Combine(agentDir, "agent", "containerd", "containerd.sock");
        Directory.CreateDirectory(Path.Combine(agentDir, "agent", "images"));
        foreach (var archive in Directory.EnumerateFiles(images, "*.tar"))
            File.Copy(archive, Path.Combine(agentDir, "agent", "images", Path.GetFileName(archive)));
        var config = Path.Combine(agentDir, "config.yaml");
        File.WriteAllText(config, "");
        var psi = new ProcessStartInfo(skiff) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "agent", "--server", $"https://127.0.0.1:{server.Port}", "--token-file", Path.Combine(root, "data", "server", "token"),
                     "--data-dir", agentDir, "--node-name", node, "--cni-bridge", "skb" + Guid.NewGuid().ToString("N")[..8], "--kubelet-port", "0", "--config", config })
            psi.ArgumentList.Add(a);
        using var agent = Process.Start(psi)!;
        var agentLog = new ConcurrentQueue<string>();
        agent.OutputDataReceived += (_, e) => { if (e.Data is not null) agentLog.Enqueue(e.Data); };
        agent.ErrorDataReceived += (_, e) => { if (e.Data is not null) agentLog.Enqueue(e.Data); };
        agent.BeginOutputReadLine();
        agent.BeginErrorReadLine();
        var ctrIds = new List<string>();
        try
        {
            using var client = KubeClient.FromKubeconfig(server.KubeconfigPath);
            await Until(async () => (await client.Nodes.TryGetAsync(null, node, ct))?.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true,
                TimeSpan.FromSeconds(90), "the node to be Ready", agent, agentLog);
            await Until(async () => (await Ctr(socket, ["images", "ls", "-q"], ct)).Contains(Image, StringComparison.Ordinal), TimeSpan.FromSeconds(60),
                "the test images to be imported", agent, agentLog);
            await Task.Delay(idle, ct);
            var empty = ProcStatus.Read(agent.Id);
            var containerdEmpty = ProcStatus.Read(ContainerdPid(agentDir));

            await client.Namespaces.CreateAsync(new Namespace { Metadata = new() { Name = Namespace } }, ct: ct);
            var running = new ConcurrentDictionary<string, TaskCompletionSource<DateTime>>();
            TaskCompletionSource<DateTime> Waiter(string name) => running.GetOrAdd(name, _ => new TaskCompletionSource<DateTime>(TaskCreationOptions.RunContinuationsAsynchronously));
            using var watchStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var watch = Task.Run(async () =>
            {
                await foreach (var e in client.Pods.WatchAsync(Namespace, ct: watchStop.Token))
                    if (e.Object is { } p && AllRunning(p)) Waiter(p.Metadata!.Name!).TrySetResult(DateTime.UtcNow);
            }, CancellationToken.None);

            async Task<double> StartPod(string name)
            {
                var started = DateTime.UtcNow;
                await client.Pods.CreateAsync(PodFor(name, node), Namespace, ct: ct);
                var at = await Waiter(name).Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
                return (at - started).TotalMilliseconds;
            }

            // One pod first, not counted and gone before the series: the first start pays once for what later ones do
            // not (this JIT-compiled bench's watch path, the agent's first pages of each code path, the API server's
            // first status patch): 150-250 ms that made the first pod the series' p99.
            await StartPod("warm-up");
            await client.Pods.DeleteAsync(Namespace, "warm-up", new() { GracePeriodSeconds = 0 }, ct: ct);
            await Until(async () => (await client.Pods.ListAsync(Namespace, ct: ct)).Items.Count == 0, TimeSpan.FromSeconds(60), "the warm-up pod to be gone", agent, agentLog);
            await Until(async () => (await Ctr(socket, ["containers", "ls", "-q"], ct)).Trim().Length == 0, TimeSpan.FromSeconds(60), "the warm-up pod's containers to be gone", agent, agentLog);

            // The reference runs in step with the pods, not after them: one pod, then one `ctr run`, and so on; then
            // rounds of a pod burst followed by a `ctr run` burst. Both then see the same machine (this VM's speed
            // drifts by 10-20% over minutes, which made the ratio swing when the two series ran minutes apart) and the
            // same number of containers already running.
            await CtrRun(socket, "bench-ctr-warm-up", ctrIds, ct); // as for the pods: the first run is not counted
            var sequential = new List<double>();
            var ctrSequential = new List<double>();
            for (var i = 0; i < pods; i++)
            {
                sequential.Add(await StartPod($"seq-{i}"));
                ctrSequential.Add(await CtrRun(socket, $"bench-ctr-seq-{i}", ctrIds, ct));
            }
            await RemoveCtrContainers(socket, ctrIds); // the memory reading is of 30 pods, not 30 pods and 30 ctr containers
            await Task.Delay(idle, ct);
            var loaded = ProcStatus.Read(agent.Id);
            var containerdLoaded = ProcStatus.Read(ContainerdPid(agentDir));

            var containerd = ContainerdPid(agentDir);
            var together = new List<double>();
            var ctrTogether = new List<double>();
            var podBurstCpu = new List<CpuUse<double[]>>();
            var ctrBurstCpu = new List<CpuUse<double[]>>();
            var quietWaits = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                await client.Pods.DeleteCollectionAsync(Namespace, deleteOptions: new() { GracePeriodSeconds = 0 }, ct: ct);
                await Until(async () => (await client.Pods.ListAsync(Namespace, ct: ct)).Items.Count == 0, TimeSpan.FromSeconds(120), "the pods to be gone", agent, agentLog);
                // The API objects go first; a burst starts once the runtime has removed the old sandboxes and containers
                // too (waiting only for their tasks measured the burst against 30 sandboxes' teardown: 5.3 s of RunPodSandbox
                // instead of ~2 s on a quiet node).
                await Until(async () => (await Ctr(socket, ["containers", "ls", "-q"], ct)).Trim().Length == 0, TimeSpan.FromSeconds(120), "the old pods' containers to be gone", agent, agentLog);
                var r = round;
                quietWaits.Add(await Quiet(ct));
                podBurstCpu.Add(await CpuDuring(() => Task.WhenAll(Enumerable.Range(0, burst).Select(i => StartPod($"burst-{r}-{i}"))), agent.Id, server.Pid, containerd));
                together.AddRange(podBurstCpu[^1].Result);
                await client.Pods.DeleteCollectionAsync(Namespace, deleteOptions: new() { GracePeriodSeconds = 0 }, ct: ct);
                await Until(async () => (await Ctr(socket, ["containers", "ls", "-q"], ct)).Trim().Length == 0, TimeSpan.FromSeconds(120), "the burst's containers to be gone", agent, agentLog);
                quietWaits.Add(await Quiet(ct));
                ctrBurstCpu.Add(await CpuDuring(() => Task.WhenAll(Enumerable.Range(0, burst).Select(i => CtrRun(socket, $"bench-ctr-burst-{r}-{i}", ctrIds, ct))), agent.Id, server.Pid, containerd));
                ctrTogether.AddRange(ctrBurstCpu[^1].Result);
                await RemoveCtrContainers(socket, ctrIds);
            }
            watchStop.Cancel();
            try { await watch; } catch (OperationCanceledException) { }

            Console.WriteLine($"node bench: {pods} pods one at a time, then {rounds} × {burst} at once, each step followed by the same with `ctr run`; busybox, images imported; skiff {skiff}");
            Console.WriteLine();
            Console.WriteLine("| start | runs | p50 ms | p90 ms | p99 ms | max ms |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
            Row("pod, one at a time", sequential);
            Row($"pod, {burst} at once ({rounds} rounds)", together);
            // The kubelet logs each RunPodSandbox's duration (pause, network namespace, the CNI chain): the sandbox's share.
            Row("  of which RunPodSandbox, one at a time", SandboxMillis(agentLog, "seq-"));
            Row($"  of which RunPodSandbox, {burst} at once", SandboxMillis(agentLog, "burst-"));
            Row("ctr run -d, one at a time", ctrSequential);
            Row($"ctr run -d, {burst} at once ({rounds} rounds)", ctrTogether);
            Console.WriteLine();
            Console.WriteLine($"pod / ctr: p50 {Ratio(sequential, ctrSequential, 50)}, p99 {Ratio(sequential, ctrSequential, 99)} one at a time; " +
                $"p50 {Ratio(together, ctrTogether, 50)}, p99 {Ratio(together, ctrTogether, 99)} at once");
            Console.WriteLine();
            Console.WriteLine("| process | pods | VmRSS MiB | VmHWM MiB | anon | file | shmem | threads |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            MemoryRow("skiff agent", 0, empty);
            MemoryRow("skiff agent", pods, loaded);
            MemoryRow("containerd", 0, containerdEmpty);
            MemoryRow("containerd", pods, containerdLoaded);
            Console.WriteLine();
            // Whether a burst is bound by the machine's two cores, and whose CPU it is: the bench is this process (its
            // POSTs and watch for the pods, its `ctr` starts for the reference); the rest is the shims, runc, the CNI
            // plugins and ctr itself.
            Console.WriteLine("| CPU during | wall s | machine busy s | skiff agent s | skiff server s | containerd s | bench s | the rest s |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            CpuRow($"{burst} pods at once (mean of {rounds})", Mean(podBurstCpu));
            CpuRow($"{burst} ctr run at once (mean of {rounds})", Mean(ctrBurstCpu));
            Console.WriteLine();
            Console.WriteLine($"Before each burst the machine went quiet in {string.Join(", ", quietWaits.Select(w => w.ToString("0.0", CultureInfo.InvariantCulture)))} s " +
                "(pods, ctr, pods, ...; 15 s means it did not).");
            return 0;
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            Console.Error.WriteLine($"node bench failed: {e.Message}");
            return 1;
        }
        finally
        {
            await RemoveCtrContainers(socket, ctrIds);
            if (!agent.HasExited) { agent.Kill(); await agent.WaitForExitAsync(CancellationToken.None); }
            if (BenchArgs.String(args, "--agent-log", "") is { Length: > 0 } logFile) await File.WriteAllLinesAsync(logFile, agentLog, CancellationToken.None);
            await Run(skiff, ["killall", "--data-dir", agentDir], CancellationToken.None);
            try { Directory.Delete(agentDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private const string TieringVariable = "DOTNET_TieredCompilation";

    private static async Task<int> RerunWithoutTieringAsync(string[] args)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("the bench's own path is unknown");
        var psi = new ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") psi.ArgumentList.Add(typeof(NodeBenchCommand).Assembly.Location);
        psi.ArgumentList.Add("node");
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment[TieringVariable] = "0";
        using var child = Process.Start(psi)!;
        await child.WaitForExitAsync();
        return child.ExitCode;
    }

    private sealed record CpuUse<T>(T Result, double Wall, double Machine, double Agent, double Server, double Containerd, double Bench);

    private static CpuUse<int> Mean<T>(List<CpuUse<T>> uses) =>
        new(uses.Count, uses.Average(u => u.Wall), uses.Average(u => u.Machine), uses.Average(u => u.Agent), uses.Average(u => u.Server),
            uses.Average(u => u.Containerd), uses.Average(u => u.Bench));

    /// <summary>Kills and deletes the containers `ctr run` started (the ids recorded), and forgets them.</summary>
    private static async Task RemoveCtrContainers(string socket, List<string> ids)
    {
        string[] all;
        lock (ids) { all = [.. ids]; ids.Clear(); }
        foreach (var id in all)
        {
            await Ctr(socket, ["task", "kill", "-s", "SIGKILL", id], CancellationToken.None);
            await Ctr(socket, ["task", "delete", "-f", id], CancellationToken.None);
            await Ctr(socket, ["container", "delete", id], CancellationToken.None);
        }
    }

    private static async Task<CpuUse<T>> CpuDuring<T>(Func<Task<T>> run, int agent, int server, int containerd)
    {
        var self = Environment.ProcessId;
        var (m, a, s, c, b) = (CpuTime.Machine(), CpuTime.Process(agent), CpuTime.Process(server), CpuTime.Process(containerd), CpuTime.Process(self));
        var wall = Stopwatch.StartNew();
        var result = await run();
        return new CpuUse<T>(result, wall.Elapsed.TotalSeconds, CpuTime.Machine() - m, CpuTime.Process(agent) - a, CpuTime.Process(server) - s,
            CpuTime.Process(containerd) - c, CpuTime.Process(self) - b);
    }

    /// <summary>
    /// Waits until the machine has been quiet (under a tenth of a core busy) for half a second, or 15 s have passed, and
    /// returns how long that took. A removal's work goes on after containerd lists nothing: the kubelet unmounts and
    /// deletes the pods' directories and cgroups, and the kernel frees network namespaces and veths in its own
    /// workers. Without the wait that tail fell into whichever burst came next.
    /// </summary>
    private static async Task<double> Quiet(CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        var quietWindows = 0;
        while (quietWindows < 5 && waited.Elapsed < TimeSpan.FromSeconds(15))
        {
            var before = CpuTime.Machine();
            await Task.Delay(100, ct);
            quietWindows = CpuTime.Machine() - before <= 0.01 ? quietWindows + 1 : 0;
        }
        return waited.Elapsed.TotalSeconds;
    }

    private static void CpuRow<T>(string what, CpuUse<T> u)
    {
        static string S(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);
        Console.WriteLine($"| {what} | {S(u.Wall)} | {S(u.Machine)} | {S(u.Agent)} | {S(u.Server)} | {S(u.Containerd)} | {S(u.Bench)} | " +
            $"{S(u.Machine - u.Agent - u.Server - u.Containerd - u.Bench)} |");
    }

    /// <summary>"Pod nodebench/seq-3: started sandbox 0123abcd (attempt 0) in 212 ms" from the agent's log, for pods named prefix*.</summary>
    private static List<double> SandboxMillis(ConcurrentQueue<string> log, string prefix)
    {
        var line = new System.Text.RegularExpressions.Regex($@"Pod {Namespace}/{prefix}[\d-]+: started sandbox \w+ \(attempt \d+\) in (\d+) ms");
        var found = log.Select(l => line.Match(l)).Where(m => m.Success).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        return found.Count > 0 ? found : throw new InvalidOperationException($"no 'started sandbox' line for {prefix}* pods in the agent's log");
    }

    private static bool AllRunning(Pod p) =>
        p.Status?.ContainerStatuses is { Count: > 0 } statuses && statuses.Count == (p.Spec?.Containers?.Count ?? -1) && statuses.All(s => s.State?.Running is not null);

    private static Pod PodFor(string name, string node) => new()
    {
        Metadata = new() { Name = name },
        Spec = new()
        {
            NodeName = node,
            TerminationGracePeriodSeconds = 0,
            Containers = [new Container { Name = "main", Image = Image, ImagePullPolicy = "IfNotPresent", Command = ["sh", "-c", "sleep 3600"] }],
        },
    };

    /// <summary>ctr returns once the task is started (-d); the time of the whole command is the measure.</summary>
    private static async Task<double> CtrRun(string socket, string id, List<string> ids, CancellationToken ct)
    {
        lock (ids) ids.Add(id);
        var sw = Stopwatch.StartNew();
        var (code, output) = await Run("ctr", ["--address", socket, "-n", "k8s.io", "run", "-d", "--null-io", Image, id, "sh", "-c", "sleep 3600"], ct);
        if (code != 0) throw new InvalidOperationException($"ctr run {id} failed: {output}");
        return sw.Elapsed.TotalMilliseconds;
    }

    private static async Task<string> Ctr(string socket, string[] args, CancellationToken ct) =>
        (await Run("ctr", ["--address", socket, "-n", "k8s.io", .. args], ct)).Output;

    private static async Task<(int Code, string Output)> Run(string file, string[] args, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        return (p.ExitCode, await stdout + await stderr);
    }

    private static int ContainerdPid(string agentDir) =>
        int.Parse(File.ReadAllText(Path.Combine(agentDir, "agent", "containerd", "containerd.pid")).Trim(), CultureInfo.InvariantCulture);

    private static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, string what, Process agent, ConcurrentQueue<string> log)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (agent.HasExited) throw new InvalidOperationException($"the agent exited with {agent.ExitCode}:\n{string.Join('\n', log.TakeLast(30))}");
            if (await condition()) return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"timed out waiting for {what}:\n{string.Join('\n', log.TakeLast(30))}");
    }

    private static string ImagesDir()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var images = Path.Combine(dir.FullName, "out", "images");
            if (File.Exists(Path.Combine(images, "busybox.tar"))) return images;
        }
        throw new InvalidOperationException("out/images/busybox.tar not found: run scripts/build-test-images.sh first");
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private static string F(double v) => v.ToString("0", CultureInfo.InvariantCulture);

    private static void Row(string what, List<double> v) =>
        Console.WriteLine($"| {what} | {v.Count} | {F(Percentile(v, 50))} | {F(Percentile(v, 90))} | {F(Percentile(v, 99))} | {F(v.Max())} |");

    private static string Ratio(List<double> a, List<double> b, double p) =>
        (Percentile(a, p) / Percentile(b, p)).ToString("0.00", CultureInfo.InvariantCulture) + "×";

    private static void MemoryRow(string process, int pods, ProcStatus s) =>
        Console.WriteLine($"| {process} | {pods} | {ProcStatus.MiB(s.VmRssKiB)} | {ProcStatus.MiB(s.VmHwmKiB)} | {ProcStatus.MiB(s.RssAnonKiB)} | {ProcStatus.MiB(s.RssFileKiB)} | {ProcStatus.MiB(s.RssShmemKiB)} | {s.Threads} |");
}
