using System.Text.Json.Nodes;

namespace Skiff.E2E;

/// <summary>
/// Node-pressure eviction on a real agent: one whose hard threshold (<c>--kubelet-arg eviction-hard=…</c>) is met from
/// the start, so the node reports MemoryPressure, refuses BestEffort pods and evicts the pods it did start. It has its
/// own control plane, and its node is tainted so that nothing else is scheduled there.
/// </summary>
public sealed class NodePressureTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    private SkiffServer S => f.Server;

    [Fact]
    public async Task ANodeUnderMemoryPressureRejectsBestEffortPodsAndEvictsTheOthers()
    {
        await using var agent = new SkiffAgent(S)
        {
            // More memory than any machine has must stay available: the threshold is met on every pass.
            ExtraArgs = ["--kubelet-arg", "eviction-hard=memory.available<1000Ti", "--node-taint", "skiff.test/pressure=true:NoSchedule"],
        };
        agent.Start();
        await Node.WaitAsync(async () => agent.Process!.HasExited || await Node.NodeReadyAsync(S, agent.NodeName), TimeSpan.FromSeconds(90),
            $"node {agent.NodeName} to join and be Ready", S);
        Assert.False(agent.Process!.HasExited, $"the agent exited:\n{agent.Log}");

        // The condition, with upstream's reason; the other pressures stay False.
        string Condition(JsonNode node, string type) =>
            node["status"]!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == type)!["status"]!.GetValue<string>();
        JsonNode? node = null;
        await Node.WaitAsync(async () =>
        {
            node = JsonNode.Parse(await Kubectl.OkAsync(S, "get", "node", agent.NodeName, "-o", "json"));
            return Condition(node!, "MemoryPressure") == "True";
        }, Node.Patience, "MemoryPressure to be True", S);
        var memoryPressure = node!["status"]!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "MemoryPressure")!;
        Assert.Equal("KubeletHasInsufficientMemory", memoryPressure["reason"]!.GetValue<string>());
        Assert.Equal("False", Condition(node, "DiskPressure"));
        Assert.Equal("True", Condition(node, "Ready")); // pressure is not a failure: the node still runs what it admits

        var ns = "pressure-" + Guid.NewGuid().ToString("N")[..6];
        await Kubectl.OkAsync(S, "create", "namespace", ns);
        await Node.ApplyAsync(S, ns, $$"""
            apiVersion: v1
            kind: Pod
            metadata: { name: best-effort }
            spec:
              nodeName: {{agent.NodeName}}
              containers:
              - { name: main, image: busybox, command: ["sleep", "3600"] }
            ---
            apiVersion: v1
            kind: Pod
            metadata: { name: burstable }
            spec:
              nodeName: {{agent.NodeName}}
              terminationGracePeriodSeconds: 30
              containers:
              - name: main
                image: busybox
                command: ["sleep", "3600"]
                resources: { requests: { memory: 16Mi } }
            """);

        // BestEffort: refused at admission, nothing of it started.
        var rejected = await Node.WaitForPodAsync(S, ns, "best-effort", p => Node.Phase(p) == "Failed", "Failed");
        Assert.Equal("Evicted", rejected["status"]!["reason"]!.GetValue<string>());
        Assert.Equal("Pod was rejected: The node had condition: [MemoryPressure]. ", rejected["status"]!["message"]!.GetValue<string>());
        Assert.Null(rejected["status"]!["containerStatuses"]);

        // Burstable: admitted under memory pressure, then evicted by the next pass, with upstream's message and condition.
        var evicted = await Node.WaitForPodAsync(S, ns, "burstable", p => Node.Phase(p) == "Failed", "Failed (evicted)");
        Assert.Equal("Evicted", evicted["status"]!["reason"]!.GetValue<string>());
        var message = evicted["status"]!["message"]!.GetValue<string>();
        Assert.StartsWith("The node was low on resource: memory. Threshold quantity: 1000Ti, available: ", message);
        var disruption = evicted["status"]!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "DisruptionTarget")!;
        Assert.Equal(("True", "TerminationByKubelet"), (disruption["status"]!.GetValue<string>(), disruption["reason"]!.GetValue<string>()));
        Assert.NotNull(await Node.PodAsync(S, ns, "burstable")); // the object stays, as upstream leaves it for its owner

        // The events: the node's attempt, each pod's Warning.
        await Node.WaitAsync(async () =>
        {
            var nodeEvents = await Kubectl.OkAsync(S, "get", "events", "-n", "default", "--field-selector", $"involvedObject.name={agent.NodeName}",
                "-o", "jsonpath={range .items[*]}{.type} {.reason} {.message}{\"\\n\"}{end}");
            return nodeEvents.Contains("Warning EvictionThresholdMet Attempting to reclaim memory\n");
        }, Node.Patience, "the node's EvictionThresholdMet event", S);
        await Node.WaitAsync(async () =>
        {
            var podEvents = await Kubectl.OkAsync(S, "get", "events", "-n", ns, "--field-selector", "reason=Evicted",
                "-o", "jsonpath={range .items[*]}{.involvedObject.name}: {.message}{\"\\n\"}{end}");
            return podEvents.Contains("best-effort: The node had condition: [MemoryPressure]. \n") && podEvents.Contains($"burstable: {message}\n");
        }, Node.Patience, "the pods' Evicted events", S);
    }

    [Fact]
    public async Task ANodeUnderDiskPressureRejectsEveryPodAndItsReclaimKeepsTheAirGapImages()
    {
        await using var agent = new SkiffAgent(S)
        {
            ExtraArgs = ["--kubelet-arg", "eviction-hard=nodefs.available<1000Pi", "--node-taint", "skiff.test/pressure=true:NoSchedule"],
        };
        agent.Start();
        await Node.WaitAsync(async () => agent.Process!.HasExited || await Node.NodeReadyAsync(S, agent.NodeName), TimeSpan.FromSeconds(90),
            $"node {agent.NodeName} to join and be Ready", S);
        Assert.False(agent.Process!.HasExited, $"the agent exited:\n{agent.Log}");
        await Node.WaitAsync(async () => await Kubectl.OkAsync(S, "get", "node", agent.NodeName, "-o",
            "jsonpath={.status.conditions[?(@.type==\"DiskPressure\")].status}") == "True", Node.Patience, "DiskPressure to be True", S);

        var ns = "disk-" + Guid.NewGuid().ToString("N")[..6];
        await Kubectl.OkAsync(S, "create", "namespace", ns);
        await Node.ApplyAsync(S, ns, $$"""
            apiVersion: v1
            kind: Pod
            metadata: { name: guaranteed }
            spec:
              nodeName: {{agent.NodeName}}
              containers:
              - name: main
                image: busybox
                command: ["sleep", "3600"]
                resources: { limits: { memory: 16Mi, cpu: 100m } }
            """);
        var rejected = await Node.WaitForPodAsync(S, ns, "guaranteed", p => Node.Phase(p) == "Failed", "Failed");
        Assert.Equal("Pod was rejected: The node had condition: [DiskPressure]. ", rejected["status"]!["message"]!.GetValue<string>());

        // Under disk pressure the node reclaims first: unused images go, but never the sandbox and air-gap images,
        // which an air-gapped node could not pull again.
        await Node.WaitAsync(() => Task.FromResult(agent.Log.Contains("unused image(s)")), Node.Patience, "a node-level reclaim", S);
        var socket = Path.Combine(agent.DataDir, "agent", "containerd", "containerd.sock");
        var (code, images) = await Processes.RunAsync("ctr", ["--address", socket, "--namespace", "k8s.io", "images", "ls", "-q"], TimeSpan.FromSeconds(30));
        Assert.Equal(0, code);
        Assert.Contains("docker.io/library/busybox:latest", images);
        Assert.Contains("localhost/skiff/pause:1.0", images);
        Assert.DoesNotContain("removed unused image", agent.Log);
    }

    [Fact]
    public async Task AKubeletArgSkiffDoesNotHaveOrABadThresholdIsRefusedBeforeAnythingStarts()
    {
        var (code, output) = await Processes.RunAsync(SkiffServer.Binary,
            ["agent", "--server", "https://127.0.0.1:1", "--token", "x", "--kubelet-arg", "image-gc-high-threshold=90"], TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, code);
        Assert.Contains("--kubelet-arg image-gc-high-threshold: unknown flag \"image-gc-high-threshold\"", output);

        (code, output) = await Processes.RunAsync(SkiffServer.Binary,
            ["agent", "--server", "https://127.0.0.1:1", "--token", "x", "--kubelet-arg", "eviction-hard=memory.available<1Gi,memory.available<2Gi"], TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, code);
        Assert.Contains("--kubelet-arg eviction-hard: found duplicate eviction threshold for signal memory.available", output);
    }
}
