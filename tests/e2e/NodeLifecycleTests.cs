using System.Text.Json.Nodes;

namespace Skiff.E2E;

/// <summary>A control plane whose node lifecycle controller gives up on a silent node after 6 s instead of 50 s.</summary>
public sealed class QuickNodeMonitorFixture : IAsyncLifetime
{
    public SkiffServer Server { get; } = new()
    {
        ExtraArgs = ["--cluster-cidr", $"10.{Random.Shared.Next(100, 250)}.0.0/16",
            "--kube-controller-manager-arg", "node-monitor-grace-period=6s", "--kube-controller-manager-arg", "node-monitor-period=1s"],
    };

    public Task InitializeAsync() => Server.StartAsync();
    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>The node lifecycle, taint eviction and pod garbage collection controllers against a real agent that stops.</summary>
public sealed class NodeLifecycleTests(QuickNodeMonitorFixture f) : IClassFixture<QuickNodeMonitorFixture>
{
    private SkiffServer S => f.Server;

    [Fact]
    public async Task ASilentNodeGoesUnknownIsTaintedUnreachableItsPodsNotReadyOrEvictedThenRecovers()
    {
        await using var agent = new SkiffAgent(S) { ExtraArgs = ["--node-taint", "skiff.test/lifecycle=true:NoSchedule"] };
        await agent.StartAndWaitReadyAsync();
        var ns = "lifecycle-" + Guid.NewGuid().ToString("N")[..6];
        await Kubectl.OkAsync(S, "create", "namespace", ns);
        await Node.ApplyAsync(S, ns, $$"""
            apiVersion: v1
            kind: Pod
            metadata: { name: app }
            spec:
              nodeName: {{agent.NodeName}}
              containers:
              - { name: main, image: busybox, command: ["sleep", "3600"] }
            ---
            apiVersion: v1
            kind: Pod
            metadata: { name: short }
            spec:
              nodeName: {{agent.NodeName}}
              tolerations: [{ key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 2 }]
              containers:
              - { name: main, image: busybox, command: ["sleep", "3600"] }
            """);
        var app = await Node.WaitForPodAsync(S, ns, "app", p => PodReady(p) == "True", "Ready");
        await Node.WaitForPodAsync(S, ns, "short", p => PodReady(p) == "True", "Ready");
        // DefaultTolerationSeconds admission: five minutes on a not-ready or unreachable node, unless the pod says otherwise.
        Assert.Equal(["node.kubernetes.io/not-ready:NoExecute:300", "node.kubernetes.io/unreachable:NoExecute:300"], Tolerations(app));
        Assert.Equal(["node.kubernetes.io/not-ready:NoExecute:300", "node.kubernetes.io/unreachable:NoExecute:2"],
            Tolerations((await Node.PodAsync(S, ns, "short"))!).Order());

        // The agent stops: no more Lease renewals or status.
        await agent.StopAsync();
        JsonNode? node = null;
        await Node.WaitAsync(async () =>
        {
            node = JsonNode.Parse(await Kubectl.OkAsync(S, "get", "node", agent.NodeName, "-o", "json"));
            return Condition(node!, "Ready")?["status"]?.GetValue<string>() == "Unknown";
        }, Node.Patience, "Ready to be Unknown", S);
        var ready = Condition(node!, "Ready")!;
        Assert.Equal(("NodeStatusUnknown", "Kubelet stopped posting node status."), (ready["reason"]!.GetValue<string>(), ready["message"]!.GetValue<string>()));
        Assert.Equal("Unknown", Condition(node!, "MemoryPressure")!["status"]!.GetValue<string>());

        await Node.WaitAsync(async () => Taints(JsonNode.Parse(await Kubectl.OkAsync(S, "get", "node", agent.NodeName, "-o", "json"))!)
            .Contains("node.kubernetes.io/unreachable:NoExecute"), Node.Patience, "the unreachable taints", S);
        node = JsonNode.Parse(await Kubectl.OkAsync(S, "get", "node", agent.NodeName, "-o", "json"));
        Assert.Equal(["node.kubernetes.io/unreachable:NoExecute", "node.kubernetes.io/unreachable:NoSchedule", "skiff.test/lifecycle:NoSchedule"], Taints(node!).Order());
        var noExecute = node!["spec"]!["taints"]!.AsArray().Single(t => t!["effect"]!.GetValue<string>() == "NoExecute")!;
        Assert.NotNull(noExecute["timeAdded"]);

        // Its pod is no longer Ready, with upstream's events on the pod and the node.
        await Node.WaitForPodAsync(S, ns, "app", p => PodReady(p) == "False", "Ready False");
        await Node.WaitAsync(async () =>
        {
            var events = await Kubectl.OkAsync(S, "get", "events", "-A", "--field-selector", "reason=NodeNotReady",
                "-o", "jsonpath={range .items[*]}{.involvedObject.kind}/{.involvedObject.name} {.type} {.message}{\"\\n\"}{end}");
            return events.Contains("Pod/app Warning Node is not ready\n") && events.Contains($"Node/{agent.NodeName} Normal Node {agent.NodeName} status is now: NodeNotReady\n");
        }, Node.Patience, "the NodeNotReady events", S);

        // The pod that tolerates unreachable for 2 s is deleted by the taint eviction controller (it stays Terminating:
        // no kubelet runs it down); the one with the default 300 s stays.
        var evicted = await Node.WaitForPodAsync(S, ns, "short", p => p["metadata"]?["deletionTimestamp"] is not null, "short to be deleted");
        var disruption = evicted["status"]!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "DisruptionTarget")!;
        Assert.Equal(("True", "DeletionByTaintManager"), (disruption["status"]!.GetValue<string>(), disruption["reason"]!.GetValue<string>()));
        Assert.Null((await Node.PodAsync(S, ns, "app"))!["metadata"]!["deletionTimestamp"]);
        Assert.Contains($"Marking for deletion Pod {ns}/short", await Kubectl.OkAsync(S, "get", "events", "-n", ns, "--field-selector", "reason=TaintManagerEviction",
            "-o", "jsonpath={range .items[*]}{.message}{\"\\n\"}{end}"));

        // Back: Ready, the unreachable taints gone, the node's own taint kept, the pod Ready again.
        agent.Start();
        await Node.WaitAsync(async () => await Node.NodeReadyAsync(S, agent.NodeName), TimeSpan.FromSeconds(90), "the node to be Ready again", S);
        await Node.WaitAsync(async () => Taints(JsonNode.Parse(await Kubectl.OkAsync(S, "get", "node", agent.NodeName, "-o", "json"))!)
            .SequenceEqual(["skiff.test/lifecycle:NoSchedule"]), Node.Patience, "the unreachable taints to go", S);
        await Node.WaitForPodAsync(S, ns, "app", p => PodReady(p) == "True", "Ready again");
        await Node.WaitAsync(async () => await Node.PodAsync(S, ns, "short") is null, Node.Patience, "the kubelet to finish deleting short", S);
    }

    private static List<string> Tolerations(JsonNode pod) =>
        [.. (pod["spec"]?["tolerations"]?.AsArray() ?? []).Select(t => $"{t!["key"]}:{t["effect"]}:{t["tolerationSeconds"]}")];

    [Fact]
    public async Task ThePodsOfADeletedNodeAreForceDeletedByThePodGarbageCollector()
    {
        await using var agent = new SkiffAgent(S) { ExtraArgs = ["--node-taint", "skiff.test/lifecycle=true:NoSchedule"] };
        await agent.StartAndWaitReadyAsync();
        var ns = "podgc-" + Guid.NewGuid().ToString("N")[..6];
        await Kubectl.OkAsync(S, "create", "namespace", ns);
        await Node.ApplyAsync(S, ns, Node.PodYaml("left-behind", agent.NodeName, "sleep 3600"));
        await Node.WaitForPodAsync(S, ns, "left-behind", p => PodReady(p) == "True", "Ready");

        // The machine is gone for good: its agent stops and its Node is deleted. No kubelet will ever finish the pod;
        // upstream's pod GC force-deletes it once the node has been missing for its 40 s quarantine (checked every 20 s).
        await agent.StopAsync();
        await Kubectl.OkAsync(S, "delete", "node", agent.NodeName);
        await Node.WaitAsync(async () => await Node.PodAsync(S, ns, "left-behind") is null, TimeSpan.FromSeconds(120), "the pod garbage collector", S);
    }

    [Fact]
    public async Task APodBeingDeletedOnANodeTaintedOutOfServiceIsForceDeletedByThePodGarbageCollector()
    {
        await using var agent = new SkiffAgent(S) { ExtraArgs = ["--node-taint", "skiff.test/lifecycle=true:NoSchedule"] };
        await agent.StartAndWaitReadyAsync();
        var ns = "oos-" + Guid.NewGuid().ToString("N")[..6];
        await Kubectl.OkAsync(S, "create", "namespace", ns);
        await Node.ApplyAsync(S, ns, Node.PodYaml("stuck", agent.NodeName, "sleep 3600"));
        await Node.WaitForPodAsync(S, ns, "stuck", p => PodReady(p) == "True", "Ready");

        // The node goes down and the pod is deleted: with no kubelet to finish it, it stays Terminating.
        await agent.StopAsync();
        await Node.WaitAsync(async () => Condition(JsonNode.Parse(await Kubectl.OkAsync(S, "get", "node", agent.NodeName, "-o", "json"))!, "Ready")?["status"]
            ?.GetValue<string>() == "Unknown", Node.Patience, "Ready to be Unknown", S);
        await Kubectl.OkAsync(S, "delete", "pod", "-n", ns, "stuck", "--wait=false");
        Assert.NotNull((await Node.PodAsync(S, ns, "stuck"))!["metadata"]!["deletionTimestamp"]);

        // The administrator says the node is out of service (upstream's non-graceful node shutdown): the pod GC
        // force-deletes the pods being deleted there on its next pass (every 20 s).
        await Kubectl.OkAsync(S, "taint", "node", agent.NodeName, "node.kubernetes.io/out-of-service=nodeshutdown:NoExecute");
        await Node.WaitAsync(async () => await Node.PodAsync(S, ns, "stuck") is null, TimeSpan.FromSeconds(60), "the pod garbage collector", S);
        Assert.Contains($"Force-deleted pod {ns}/stuck: it is being deleted on {agent.NodeName}, which is out of service", S.Log);
        await Kubectl.OkAsync(S, "delete", "node", agent.NodeName);
    }

    [Fact]
    public async Task AControllerManagerArgSkiffDoesNotHaveOrABadValueIsRefusedBeforeAnythingStarts()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "skiff-e2e-refused-" + Guid.NewGuid().ToString("N")[..8]);
        await SkiffServer.AssertRefusedAsync(["server", "--data-dir", dataDir, "--kube-controller-manager-arg", "pod-eviction-timeout=5m"],
            "--kube-controller-manager-arg pod-eviction-timeout: unknown flag \"pod-eviction-timeout\"");
        await SkiffServer.AssertRefusedAsync(["server", "--data-dir", dataDir, "--kube-controller-manager-arg", "node-monitor-grace-period=0s"],
            "--kube-controller-manager-arg node-monitor-grace-period: the duration must be positive");
        Assert.False(Directory.Exists(dataDir)); // refused before anything was written
    }

    private static JsonNode? Condition(JsonNode node, string type) =>
        node["status"]?["conditions"]?.AsArray().FirstOrDefault(c => c!["type"]!.GetValue<string>() == type);

    private static string? PodReady(JsonNode pod) =>
        pod["status"]?["conditions"]?.AsArray().FirstOrDefault(c => c!["type"]!.GetValue<string>() == "Ready")?["status"]?.GetValue<string>();

    private static List<string> Taints(JsonNode node) =>
        [.. (node["spec"]?["taints"]?.AsArray() ?? []).Select(t => $"{t!["key"]!.GetValue<string>()}:{t["effect"]!.GetValue<string>()}")];
}
