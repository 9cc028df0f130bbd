using System.Text.Json.Nodes;

namespace Skiff.E2E;

/// <summary>
/// What <c>--kubelet-arg</c> sets, each on a real agent of its own joined to this class's control plane (its node
/// tainted, so that nothing else is scheduled there): node-pressure eviction, with hard thresholds met from the start
/// (the node reports the pressure, refuses pods and evicts the ones it started), image garbage collection and
/// container log rotation.
/// </summary>
public sealed class KubeletArgTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    private SkiffServer S => f.Server;

    [Fact]
    public async Task ANodeUnderMemoryPressureRejectsBestEffortPodsAndEvictsTheOthers()
    {
        await using var agent = new SkiffAgent(S)
        {
            // More memory than any machine has must stay available: the threshold is met on every pass.
            ExtraArgs = ["--kubelet-arg", "eviction-hard=memory.available<1000Ti", "--kubelet-arg", "eviction-minimum-reclaim=memory.available=64Mi",
                "--node-taint", "skiff.test/pressure=true:NoSchedule"],
        };
        await agent.StartAndWaitReadyAsync();

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
        // The node lifecycle controller taints it, so that the scheduler sends it nothing more.
        await Node.WaitAsync(async () => (await Kubectl.OkAsync(S, "get", "node", agent.NodeName, "-o", "jsonpath={range .spec.taints[*]}{.key}:{.effect} {end}"))
            .Contains("node.kubernetes.io/memory-pressure:NoSchedule"), Node.Patience, "the memory-pressure taint", S);

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
        await agent.StartAndWaitReadyAsync();
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
        Assert.DoesNotContain("Removing image", agent.Log);
    }

    [Fact]
    public async Task AChattyContainersLogIsRotatedCompressedAndKeptToMaxFiles()
    {
        await using var agent = new SkiffAgent(S)
        {
            ExtraArgs = ["--kubelet-arg", "container-log-max-size=4Ki", "--kubelet-arg", "container-log-max-files=3",
                "--node-taint", "skiff.test/logs=true:NoSchedule"],
        };
        await agent.StartAndWaitReadyAsync();

        var ns = "logs-" + Guid.NewGuid().ToString("N")[..6];
        await Kubectl.OkAsync(S, "create", "namespace", ns);
        await Node.ApplyAsync(S, ns, $$"""
            apiVersion: v1
            kind: Pod
            metadata: { name: chatty }
            spec:
              nodeName: {{agent.NodeName}}
              containers:
              - name: main
                image: busybox
                command: ["sh", "-c", "i=0; while true; do echo line-$i-0123456789012345678901234567890123456789; i=$((i+1)); sleep 0.01; done"]
            """);
        var pod = await Node.WaitForPodAsync(S, ns, "chatty", p => Node.Phase(p) == "Running", "Running");
        var dir = Path.Combine(agent.DataDir, "agent", "pods", $"{ns}_chatty_{pod["metadata"]!["uid"]!.GetValue<string>()}", "main");

        // Two rotations at least: the first rotated file is then compressed, the newest stays as it was. One listing
        // must show all three: a pass compresses the older file a moment before it renames the current one, so a
        // listing taken in between shows only the current file and the compressed one.
        List<string> files = [];
        await Node.WaitAsync(() =>
        {
            files = Directory.Exists(dir) ? [.. Directory.EnumerateFiles(dir).Select(f => Path.GetFileName(f)!).Where(n => !n.EndsWith(".tmp"))] : [];
            return Task.FromResult(files.Contains("0.log") && files.Any(n => n.EndsWith(".gz"))
                && files.Any(n => System.Text.RegularExpressions.Regex.IsMatch(n, @"^0\.log\.\d{8}-\d{6}$")));
        }, TimeSpan.FromSeconds(90), "the current log, a compressed rotated one and an uncompressed newest one", S);
        Assert.True(files.Count <= 3, string.Join(" ", files));
        var gz = Directory.EnumerateFiles(dir, "*.gz").First();
        await using (var stream = new System.IO.Compression.GZipStream(File.OpenRead(gz), System.IO.Compression.CompressionMode.Decompress))
        using (var reader = new StreamReader(stream))
            Assert.Matches(@"^\S+ stdout F line-\d+-0123", await reader.ReadLineAsync() ?? ""); // CRI log lines, as written

        // kubectl logs reads the current file: the earliest lines are no longer in it. (Right after a rotation the
        // new file can be empty for a moment, hence the wait.)
        var logs = "";
        await Node.WaitAsync(async () => (logs = await Kubectl.OkAsync(S, "logs", "chatty", "-n", ns)).StartsWith("line-"), Node.Patience, "logs", S);
        Assert.False(logs.StartsWith("line-0-"), logs[..Math.Min(200, logs.Length)]);
    }

    [Fact]
    public async Task OverTheHighThresholdImageGcRemovesUnusedImagesAndKeepsThoseInUseAndTheAirGapOnes()
    {
        await using var agent = new SkiffAgent(S)
        {
            // Every disk is more than 1 % full: each collection must free space, and an image may go as soon as it is seen.
            ExtraArgs = ["--kubelet-arg", "image-gc-high-threshold=1", "--kubelet-arg", "image-gc-low-threshold=0",
                "--kubelet-arg", "minimum-image-ttl-duration=0s", "--node-taint", "skiff.test/imagegc=true:NoSchedule"],
        };
        await agent.StartAndWaitReadyAsync();
        // The collection at start: only the sandbox and air-gap images are there, and they are pinned, so it frees nothing.
        await Node.WaitAsync(() => Task.FromResult(agent.Log.Contains("Image garbage collection failed once")), Node.Patience, "the first image collection", S);
        Assert.DoesNotContain("Removing image", agent.Log);

        // Two images of the test's own: a pod runs one, nothing uses the other.
        var socket = Path.Combine(agent.DataDir, "agent", "containerd", "containerd.sock");
        var work = Path.Combine(agent.DataDir, "test-images");
        Directory.CreateDirectory(work);
        File.WriteAllText(Path.Combine(work, "note"), "nothing runs this image\n");
        OciArchive.Write(Path.Combine(work, "unused.tar"), "docker.io/skiff-e2e/unused:1", new Dictionary<string, string> { ["etc/note"] = Path.Combine(work, "note") }, ["/bin/true"]);
        OciArchive.Write(Path.Combine(work, "in-use.tar"), "docker.io/skiff-e2e/in-use:1", new Dictionary<string, string> { ["bin/busybox"] = "/bin/busybox" },
            ["/bin/busybox", "sleep", "3600"]);
        foreach (var archive in new[] { "unused.tar", "in-use.tar" })
        {
            var (code, output) = await Processes.RunAsync("ctr", ["--address", socket, "--namespace", "k8s.io", "images", "import", Path.Combine(work, archive)], TimeSpan.FromSeconds(60));
            Assert.True(code == 0, output);
        }
        var ns = "imagegc-" + Guid.NewGuid().ToString("N")[..6];
        await Kubectl.OkAsync(S, "create", "namespace", ns);
        await Node.ApplyAsync(S, ns, $$"""
            apiVersion: v1
            kind: Pod
            metadata: { name: runs-it }
            spec:
              nodeName: {{agent.NodeName}}
              containers:
              - { name: main, image: "docker.io/skiff-e2e/in-use:1", imagePullPolicy: Never }
            """);
        var before = await Node.WaitForPodAsync(S, ns, "runs-it", p => Node.Phase(p) == "Running", "Running");
        var containerId = before["status"]!["containerStatuses"]![0]!["containerID"]!.GetValue<string>();

        // Upstream's next collection is 5 minutes on; a restart runs one at once, once the air-gap images are named again.
        await agent.StopAsync();
        agent.Start();
        await Node.WaitAsync(() => Task.FromResult(agent.Log.Contains("Removing image docker.io/skiff-e2e/unused:1")), Node.Patience, "the unused image's removal", S);
        await Node.WaitAsync(async () =>
        {
            var events = await Kubectl.OkAsync(S, "get", "events", "-n", "default", "--field-selector", $"involvedObject.name={agent.NodeName},reason=FreeDiskSpaceFailed",
                "-o", "jsonpath={range .items[*]}{.type} {.message}{\"\\n\"}{end}");
            return events.Contains("Warning Failed to garbage collect required amount of images. Attempted to free ");
        }, Node.Patience, "the node's FreeDiskSpaceFailed event", S); // down to 0 % cannot be reached

        var (listed, images) = await Processes.RunAsync("ctr", ["--address", socket, "--namespace", "k8s.io", "images", "ls", "-q"], TimeSpan.FromSeconds(30));
        Assert.Equal(0, listed);
        Assert.DoesNotContain("docker.io/skiff-e2e/unused:1", images);
        Assert.Contains("docker.io/skiff-e2e/in-use:1", images);
        Assert.Contains("docker.io/library/busybox:latest", images);
        Assert.Contains("localhost/skiff/pause:1.0", images);
        Assert.DoesNotContain("Removing image docker.io/skiff-e2e/in-use:1", agent.Log);

        // The pod ran on through the restart.
        var after = await Node.WaitForPodAsync(S, ns, "runs-it", p => Node.Phase(p) == "Running", "Running");
        Assert.Equal(containerId, after["status"]!["containerStatuses"]![0]!["containerID"]!.GetValue<string>());
        Assert.Equal(0, after["status"]!["containerStatuses"]![0]!["restartCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task AKubeletArgSkiffDoesNotHaveOrABadThresholdIsRefusedBeforeAnythingStarts()
    {
        string[] Agent(string kubeletArg) => ["agent", "--server", "https://127.0.0.1:1", "--token", "x", "--kubelet-arg", kubeletArg];
        await SkiffServer.AssertRefusedAsync(Agent("cpu-manager-policy=static"), "--kubelet-arg cpu-manager-policy: unknown flag \"cpu-manager-policy\"");
        await SkiffServer.AssertRefusedAsync(Agent("eviction-minimum-reclaim=memory.available=-1Mi"),
            "--kubelet-arg eviction-minimum-reclaim: negative eviction minimum reclaim specified for memory.available");
        await SkiffServer.AssertRefusedAsync(Agent("image-gc-low-threshold=90"),
            "--kubelet-arg: invalid configuration: imageGCLowThresholdPercent (--image-gc-low-threshold) 90 must be less than imageGCHighThresholdPercent (--image-gc-high-threshold) 85");
        await SkiffServer.AssertRefusedAsync(Agent("eviction-hard=memory.available<1Gi,memory.available<2Gi"),
            "--kubelet-arg eviction-hard: found duplicate eviction threshold for signal memory.available");
        await SkiffServer.AssertRefusedAsync(Agent("eviction-soft=memory.available<1Gi"),
            "--kubelet-arg eviction-soft: grace period must be specified for the soft eviction threshold memory.available");
    }
}
