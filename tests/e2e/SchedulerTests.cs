using System.Diagnostics;
using System.Text;

namespace Skiff.E2E;

/// <summary>A server with three simulated nodes (sim-node-0..2: 32 cpu, 256Gi, tainted kwok.x-k8s.io/node=fake:NoSchedule).</summary>
public sealed class SimulatedClusterFixture : IAsyncLifetime
{
    public SkiffServer Server { get; } = new() { ExtraArgs = ["--simulated-nodes", "3"] };
    public async Task InitializeAsync()
    {
        await Server.StartAsync();
        await Scheduling.WaitAsync(async () =>
            (await Kubectl.RunAsync(Server, ["get", "nodes", "-l", "type=simulated", "-o", "name"])).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length == 3,
            "three simulated nodes registered");
    }
    public async Task DisposeAsync() => await Server.DisposeAsync();

    private int _ns;
    public async Task<string> NamespaceAsync(string prefix)
    {
        var name = $"{prefix}-{Interlocked.Increment(ref _ns)}";
        await Kubectl.OkAsync(Server, "create", "namespace", name);
        return name;
    }
}

/// <summary>Helpers shared by the scheduling tests: pod manifests and waiting on conditions with deadlines.</summary>
internal static class Scheduling
{
    public const string Toleration = "tolerations: [{key: kwok.x-k8s.io/node, operator: Exists, effect: NoSchedule}]";

    public static async Task WaitAsync(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"timed out after {seconds} s waiting for: {what}");
            await Task.Delay(100);
        }
    }

    public static Task<string> Jsonpath(SkiffServer s, string ns, string kind, string name, string path) =>
        Kubectl.OkAsync(s, "get", kind, name, "-n", ns, "-o", $"jsonpath={path}");

    public static async Task<string> WaitForNodeAsync(SkiffServer s, string ns, string pod, int seconds = 30)
    {
        var node = "";
        await WaitAsync(async () => (node = await Jsonpath(s, ns, "pod", pod, "{.spec.nodeName}")).Length > 0, $"{ns}/{pod} bound", seconds);
        return node;
    }

    /// <summary>The PodScheduled=False message once the scheduler has written it.</summary>
    public static async Task<string> WaitForUnschedulableAsync(SkiffServer s, string ns, string pod)
    {
        var message = "";
        await WaitAsync(async () =>
            (message = await Jsonpath(s, ns, "pod", pod, "{.status.conditions[?(@.type==\"PodScheduled\")].message}")).Length > 0,
            $"{ns}/{pod} marked unschedulable");
        Assert.Equal("Unschedulable", await Jsonpath(s, ns, "pod", pod, "{.status.conditions[?(@.type==\"PodScheduled\")].reason}"));
        Assert.Equal("False", await Jsonpath(s, ns, "pod", pod, "{.status.conditions[?(@.type==\"PodScheduled\")].status}"));
        return message;
    }

    public static async Task<string> FailedSchedulingEventAsync(SkiffServer s, string ns, string pod)
    {
        var message = "";
        await WaitAsync(async () => (message = await Kubectl.OkAsync(s, "get", "events", "-n", ns,
            "--field-selector", $"involvedObject.name={pod},reason=FailedScheduling", "-o", "jsonpath={.items[0].message}")).Length > 0,
            $"FailedScheduling event for {ns}/{pod}");
        return message;
    }

    public static string Pod(string ns, string name, string spec, string labels = "{}") => $$"""
        apiVersion: v1
        kind: Pod
        metadata: {name: {{name}}, namespace: {{ns}}, labels: {{labels}}}
        spec:
        {{Indent(spec)}}
          containers: [{name: c, image: busybox}]
        """;

    private static string Indent(string spec) => string.Join("\n", spec.Split('\n').Select(l => "  " + l));
}

public sealed class SchedulerTests(SimulatedClusterFixture f) : IClassFixture<SimulatedClusterFixture>
{
    private SkiffServer S => f.Server;

    [Fact]
    public async Task PodWithoutNodeNameIsBoundWithinASecond()
    {
        var ns = await f.NamespaceAsync("sched-bind");
        await Kubectl.OkWithInputAsync(S, Scheduling.Pod(ns, "web", Scheduling.Toleration), "apply", "-f", "-");
        var node = await Scheduling.WaitForNodeAsync(S, ns, "web");
        Assert.StartsWith("sim-node-", node);
        // The server's own timestamps (second resolution) say how long it took, whatever the test machine's load.
        var created = DateTimeOffset.Parse(await Scheduling.Jsonpath(S, ns, "pod", "web", "{.metadata.creationTimestamp}"));
        var scheduled = DateTimeOffset.Parse(await Scheduling.Jsonpath(S, ns, "pod", "web", "{.status.conditions[?(@.type==\"PodScheduled\")].lastTransitionTime}"));
        Assert.True(scheduled - created <= TimeSpan.FromSeconds(1), $"created {created:O}, scheduled {scheduled:O}");
        Assert.Equal("True", await Scheduling.Jsonpath(S, ns, "pod", "web", "{.status.conditions[?(@.type==\"PodScheduled\")].status}"));
        // The simulated kubelet reports it running, with an IP from the node's fake range.
        await Scheduling.WaitAsync(async () => await Scheduling.Jsonpath(S, ns, "pod", "web", "{.status.phase}") == "Running", "pod Running");
        Assert.StartsWith("10.64.", await Scheduling.Jsonpath(S, ns, "pod", "web", "{.status.podIP}"));
        var events = await Kubectl.OkAsync(S, "get", "events", "-n", ns, "--field-selector", "involvedObject.name=web,reason=Scheduled", "-o", "jsonpath={.items[*].message}");
        Assert.Contains($"Successfully assigned {ns}/web to {node}", events);
    }

    [Fact]
    public async Task NodeSelectorThatMatchesNothingStaysPendingWithUpstreamsMessage()
    {
        var ns = await f.NamespaceAsync("sched-selector");
        await Kubectl.OkWithInputAsync(S, Scheduling.Pod(ns, "picky", Scheduling.Toleration + "\nnodeSelector: {disktype: ssd}"), "apply", "-f", "-");
        const string expected = "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. " +
                                "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
        Assert.Equal(expected, await Scheduling.WaitForUnschedulableAsync(S, ns, "picky"));
        Assert.Equal(expected, await Scheduling.FailedSchedulingEventAsync(S, ns, "picky"));
        Assert.Equal("Pending", await Scheduling.Jsonpath(S, ns, "pod", "picky", "{.status.phase}"));
        Assert.Equal("", await Scheduling.Jsonpath(S, ns, "pod", "picky", "{.spec.nodeName}"));

        // A node that gets the label is a cluster event that wakes the pod.
        await Kubectl.OkAsync(S, "label", "node", "sim-node-1", "disktype=ssd");
        try { Assert.Equal("sim-node-1", await Scheduling.WaitForNodeAsync(S, ns, "picky")); }
        finally { await Kubectl.OkAsync(S, "label", "node", "sim-node-1", "disktype-"); }
    }

    [Fact]
    public async Task TooMuchCpuIsExplainedAsInsufficientCpu()
    {
        var ns = await f.NamespaceAsync("sched-cpu");
        await Kubectl.OkWithInputAsync(S, Scheduling.Pod(ns, "huge", Scheduling.Toleration).Replace(
            "image: busybox}", "image: busybox, resources: {requests: {cpu: \"64\"}}}"), "apply", "-f", "-");
        var message = await Scheduling.WaitForUnschedulableAsync(S, ns, "huge");
        Assert.Equal("0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.", message);
        Assert.Contains("Insufficient cpu", await Scheduling.FailedSchedulingEventAsync(S, ns, "huge"));
    }

    [Fact]
    public async Task TaintsRepelPodsWithoutTolerations()
    {
        var ns = await f.NamespaceAsync("sched-taint");
        await Kubectl.OkWithInputAsync(S, Scheduling.Pod(ns, "intolerant", "{}").Replace("spec:\n  {}", "spec:"), "apply", "-f", "-");
        Assert.Equal("0/3 nodes are available: 3 node(s) had untolerated taint {kwok.x-k8s.io/node: fake}. " +
                     "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
            await Scheduling.WaitForUnschedulableAsync(S, ns, "intolerant"));

        // An extra taint on two nodes leaves the tolerating pod one place to go.
        await Kubectl.OkAsync(S, "taint", "node", "sim-node-0", "sim-node-2", "dedicated=gpu:NoSchedule");
        try
        {
            await Kubectl.OkWithInputAsync(S, Scheduling.Pod(ns, "tolerant", Scheduling.Toleration), "apply", "-f", "-");
            Assert.Equal("sim-node-1", await Scheduling.WaitForNodeAsync(S, ns, "tolerant"));
        }
        finally { await Kubectl.OkAsync(S, "taint", "node", "sim-node-0", "sim-node-2", "dedicated-"); }
    }

    [Fact]
    public async Task RequiredAntiAffinitySpreadsThreePodsOverThreeNodes()
    {
        var ns = await f.NamespaceAsync("sched-anti");
        const string anti = """
            affinity:
              podAntiAffinity:
                requiredDuringSchedulingIgnoredDuringExecution:
                - labelSelector: {matchLabels: {app: spread}}
                  topologyKey: kubernetes.io/hostname
            """;
        var manifest = string.Join("\n---\n", Enumerable.Range(0, 3).Select(i =>
            Scheduling.Pod(ns, $"spread-{i}", Scheduling.Toleration + "\n" + anti, "{app: spread}")));
        await Kubectl.OkWithInputAsync(S, manifest, "apply", "-f", "-");
        var nodes = new List<string>();
        for (var i = 0; i < 3; i++) nodes.Add(await Scheduling.WaitForNodeAsync(S, ns, $"spread-{i}"));
        Assert.Equal(3, nodes.Distinct().Count());

        // A fourth has nowhere left to go: the existing pods' terms reject it first (they select it too).
        await Kubectl.OkWithInputAsync(S, Scheduling.Pod(ns, "spread-3", Scheduling.Toleration + "\n" + anti, "{app: spread}"), "apply", "-f", "-");
        Assert.Equal("0/3 nodes are available: 3 node(s) didn't satisfy existing pods anti-affinity rules. " +
                     "preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
            await Scheduling.WaitForUnschedulableAsync(S, ns, "spread-3"));
    }

    [Fact]
    public async Task HighPriorityPodPreemptsALowPriorityOneWhenNothingElseFits()
    {
        var ns = await f.NamespaceAsync("sched-preempt");
        var low = ns + "-low";
        var high = ns + "-high";
        await Kubectl.OkWithInputAsync(S, $$"""
            apiVersion: scheduling.k8s.io/v1
            kind: PriorityClass
            metadata: {name: {{low}}}
            value: 100
            ---
            apiVersion: scheduling.k8s.io/v1
            kind: PriorityClass
            metadata: {name: {{high}}}
            value: 100000
            """, "apply", "-f", "-");
        try
        {
            string Big(string name, string cls) => Scheduling.Pod(ns, name, Scheduling.Toleration + $"\npriorityClassName: {cls}")
                .Replace("image: busybox}", "image: busybox, resources: {requests: {cpu: \"24\"}}}");
            await Kubectl.OkWithInputAsync(S, string.Join("\n---\n", Enumerable.Range(0, 3).Select(i => Big($"low-{i}", low))), "apply", "-f", "-");
            var lowNodes = new Dictionary<string, string>();
            for (var i = 0; i < 3; i++) lowNodes[$"low-{i}"] = await Scheduling.WaitForNodeAsync(S, ns, $"low-{i}");
            Assert.Equal(3, lowNodes.Values.Distinct().Count());
            Assert.Equal("100", await Scheduling.Jsonpath(S, ns, "pod", "low-0", "{.spec.priority}"));

            await Kubectl.OkWithInputAsync(S, Big("urgent", high), "apply", "-f", "-");
            var node = await Scheduling.WaitForNodeAsync(S, ns, "urgent", seconds: 60);
            var victim = lowNodes.Single(kv => kv.Value == node).Key;
            await Scheduling.WaitAsync(async () => (await Kubectl.RunAsync(S, ["get", "pod", victim, "-n", ns, "--ignore-not-found", "-o", "name"])).Stdout.Trim().Length == 0,
                $"victim {victim} gone");
            foreach (var other in lowNodes.Keys.Where(k => k != victim))
                Assert.Equal(lowNodes[other], await Scheduling.Jsonpath(S, ns, "pod", other, "{.spec.nodeName}"));
            var preempted = await Kubectl.OkAsync(S, "get", "events", "-n", ns, "--field-selector", $"involvedObject.name={victim},reason=Preempted", "-o", "jsonpath={.items[*].message}");
            Assert.Contains($"on node {node}", preempted);
        }
        finally
        {
            await Kubectl.RunAsync(S, ["delete", "namespace", ns, "--wait=false"]);
            await Kubectl.RunAsync(S, ["delete", "priorityclass", low, high]);
        }
    }

    [Fact]
    public async Task PriorityComesFromThePriorityClassAndUnknownClassesAreRefused()
    {
        var ns = await f.NamespaceAsync("sched-prio");
        await Kubectl.OkWithInputAsync(S, Scheduling.Pod(ns, "critical", Scheduling.Toleration + "\npriorityClassName: system-cluster-critical"), "apply", "-f", "-");
        Assert.Equal("2000000000", await Scheduling.Jsonpath(S, ns, "pod", "critical", "{.spec.priority}"));
        Assert.Equal("2000001000", await Kubectl.OkAsync(S, "get", "priorityclass", "system-node-critical", "-o", "jsonpath={.value}"));
        var r = await Kubectl.RunAsync(S, ["apply", "-f", "-"], Scheduling.Pod(ns, "nope", "priorityClassName: does-not-exist"));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("no PriorityClass with name does-not-exist was found", r.Stderr);
    }
}

/// <summary>
/// The scheduler and the simulated nodes as separate processes against a server that is restarted:
/// their watches break, their informers resume, and scheduling carries on.
/// </summary>
public sealed class SchedulerRestartTests
{
    [Fact]
    public async Task PendingPodsAreScheduledAfterTheApiServerRestarts()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "skiff-e2e-" + Guid.NewGuid().ToString("N")[..10]);
        var port = SkiffServer.FreePort();
        Process? scheduler = null, nodes = null;
        var logs = new StringBuilder();
        try
        {
            await using (var first = new SkiffServer(dataDir, port) { ExtraArgs = ["--disable-scheduler"] })
            {
                await first.StartAsync();
                scheduler = Start(logs, "scheduler", "--kubeconfig", first.Kubeconfig);
                nodes = Start(logs, "sim-nodes", "--count", "2", "--kubeconfig", first.Kubeconfig);
                await Kubectl.OkAsync(first, "create", "namespace", "restart");
                await Kubectl.OkWithInputAsync(first, Scheduling.Pod("restart", "before", Scheduling.Toleration), "apply", "-f", "-");
                Assert.StartsWith("sim-node-", await Scheduling.WaitForNodeAsync(first, "restart", "before", seconds: 60));
                // Waits for a node label that appears only after the restart.
                await Kubectl.OkWithInputAsync(first, Scheduling.Pod("restart", "waiting", Scheduling.Toleration + "\nnodeSelector: {after: restart}"), "apply", "-f", "-");
                await Scheduling.WaitForUnschedulableAsync(first, "restart", "waiting");
                await first.StopAsync();
            }
            await using var second = new SkiffServer(dataDir, port) { ExtraArgs = ["--disable-scheduler"] };
            await second.StartAsync();
            Assert.False(scheduler.HasExited, logs.ToString());
            await Kubectl.OkWithInputAsync(second, Scheduling.Pod("restart", "after", Scheduling.Toleration), "apply", "-f", "-");
            Assert.StartsWith("sim-node-", await Scheduling.WaitForNodeAsync(second, "restart", "after", seconds: 60));
            await Kubectl.OkAsync(second, "label", "node", "sim-node-0", "after=restart");
            Assert.Equal("sim-node-0", await Scheduling.WaitForNodeAsync(second, "restart", "waiting", seconds: 60));
            await Scheduling.WaitAsync(async () => await Scheduling.Jsonpath(second, "restart", "pod", "after", "{.status.phase}") == "Running", "pod Running after restart", 60);
        }
        finally
        {
            foreach (var p in new[] { scheduler, nodes })
            {
                if (p is null) continue;
                if (!p.HasExited) { p.Kill(entireProcessTree: true); await p.WaitForExitAsync(); }
                p.Dispose();
            }
            try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static Process Start(StringBuilder logs, params string[] args)
    {
        var psi = new ProcessStartInfo(SkiffServer.Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (logs) logs.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (logs) logs.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }
}
