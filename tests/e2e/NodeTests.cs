using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Skiff.E2E;

/// <summary>A real server with its node agent (containerd, runc, CNI), shared by the tests of one class.</summary>
public sealed class AgentServerFixture : IAsyncLifetime
{
    public SkiffServer Server { get; } = new() { WithAgent = true };
    private int _ns;

    public async Task InitializeAsync()
    {
        await Server.StartAsync();
        await Node.WaitAsync(async () => await Node.NodeReadyAsync(Server, Server.NodeName), TimeSpan.FromSeconds(90), "the node to be Ready", Server);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public async Task<string> NamespaceAsync(string prefix)
    {
        var name = $"{prefix}-{Interlocked.Increment(ref _ns)}";
        await Kubectl.OkAsync(Server, "create", "namespace", name);
        return name;
    }
}

/// <summary>Helpers for node tests: manifests, pod reads and waiting with a deadline.</summary>
public static class Node
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, SkiffServer server)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return;
            await Task.Delay(250);
        }
        throw new TimeoutException($"timed out waiting for {what}; server log tail:\n{string.Join('\n', server.Log.Split('\n').TakeLast(40))}");
    }

    public static async Task<bool> NodeReadyAsync(SkiffServer server, string node)
    {
        var r = await Kubectl.RunAsync(server, ["get", "node", node, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"]);
        return r.ExitCode == 0 && r.Stdout == "True";
    }

    public static Task ApplyAsync(SkiffServer server, string ns, string yaml) => Kubectl.OkWithInputAsync(server, yaml, "apply", "-n", ns, "-f", "-");

    public static async Task<JsonObject?> PodAsync(SkiffServer server, string ns, string name)
    {
        var r = await Kubectl.RunAsync(server, ["get", "pod", name, "-n", ns, "-o", "json"]);
        return r.ExitCode == 0 ? JsonNode.Parse(r.Stdout)!.AsObject() : null;
    }

    /// <summary>Polls the pod until <paramref name="check"/> holds; returns that pod.</summary>
    public static async Task<JsonObject> WaitForPodAsync(SkiffServer server, string ns, string name, Func<JsonObject, bool> check, string what, TimeSpan? timeout = null)
    {
        JsonObject? last = null;
        try
        {
            await WaitAsync(async () => (last = await PodAsync(server, ns, name)) is { } p && check(p), timeout ?? Patience, $"pod {ns}/{name}: {what}", server);
        }
        catch (TimeoutException e) { throw new TimeoutException($"{e.Message}\nlast pod status:\n{last?["status"]}"); }
        return last!;
    }

    public static string? Phase(JsonObject pod) => pod["status"]?["phase"]?.GetValue<string>();

    public static JsonNode? Container(JsonObject pod, string name = "main") =>
        pod["status"]?["containerStatuses"]?.AsArray().FirstOrDefault(c => c?["name"]?.GetValue<string>() == name);

    public static string? Condition(JsonObject pod, string type) =>
        pod["status"]?["conditions"]?.AsArray().FirstOrDefault(c => c?["type"]?.GetValue<string>() == type)?["status"]?.GetValue<string>();

    /// <summary>A busybox pod bound to <paramref name="node"/>; <paramref name="extra"/> is YAML under the container (indented 4).</summary>
    public static string PodYaml(string name, string node, string command, string restartPolicy = "Always", string extra = "", string podExtra = "") => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
        spec:
          nodeName: {node}
          restartPolicy: {restartPolicy}
          terminationGracePeriodSeconds: 10
        {podExtra}
          containers:
          - name: main
            image: busybox
            imagePullPolicy: IfNotPresent
            command: ["sh", "-c", {System.Text.Json.JsonSerializer.Serialize(command)}]
        {extra}
        """;
}

/// <summary>The node agent end to end: node registration and status, and pods through their whole life.</summary>
public sealed class NodeTests(AgentServerFixture f, ITestOutputHelper output) : IClassFixture<AgentServerFixture>
{
    private SkiffServer S => f.Server;
    private string NodeName => f.Server.NodeName;

    [Fact]
    public async Task ALatestImageIsPulledThroughTheRegistriesFileMirrorAndTheImportedCopyServesWhenThatFails()
    {
        // The fixture's registries file mirrors docker.io to a closed loopback port, its own endpoint off.
        var hosts = await File.ReadAllTextAsync(Path.Combine(S.DataDir, "agent", "etc", "containerd", "certs.d", "docker.io", "hosts.toml"));
        Assert.Contains("server = \"http://127.0.0.1:1\"", hosts);
        Assert.DoesNotContain("registry-1.docker.io", hosts);

        var ns = await f.NamespaceAsync("pull");
        await Kubectl.OkAsync(S, "run", "latest", "-n", ns, "--image=busybox", "--", "sleep", "3600"); // :latest, so imagePullPolicy Always
        var pod = await Node.WaitForPodAsync(S, ns, "latest", p => Node.Phase(p) == "Running", "Running");
        Assert.Equal("Always", pod["spec"]!["containers"]![0]!["imagePullPolicy"]!.GetValue<string>());
        await Node.WaitAsync(async () => (await Kubectl.OkAsync(S, "get", "events", "-n", ns, "--field-selector", "reason=Pulled", "-o", "jsonpath={.items[*].message}"))
            .Contains("(pulling it failed, so the local copy is used)"), Node.Patience, "the Pulled event of the local copy", S);
        Assert.Contains("http://127.0.0.1:1/v2/library/busybox/manifests/latest", S.Log);
        Assert.DoesNotContain("registry-1.docker.io", S.Log);
    }

    [Fact]
    public async Task TheServersOwnNodeNameIsBoundToItsNodePasswordSoNoAgentCanJoinUnderIt()
    {
        var secret = JsonNode.Parse(await Kubectl.OkAsync(S, "get", "secret", "-n", "kube-system", NodeName + ".node-password.skiff", "-o", "json"))!;
        Assert.Equal("skiff.io/node-password", secret["type"]!.GetValue<string>());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, new FileInfo(Path.Combine(S.DataDir, "agent", "node-password")).UnixFileMode);

        // A machine joining with the token under the server's node name, with its own node password, is refused.
        var token = File.ReadAllText(Path.Combine(S.DataDir, "server", "token")).Trim();
        using var api = new ApiClient(S, clientCertificate: false);
        var (code, status) = await AgentJoinTests.PostJoinAsync(api,
            $$"""{"nodeName":"{{NodeName}}","nodeIPs":["127.0.0.1"],"nodePassword":"another-machine"}""", token[(token.LastIndexOf(':') + 1)..]);
        Assert.Equal(HttpStatusCode.Forbidden, code);
        Assert.Contains($"node \"{NodeName}\" is already joined with another node password", status!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task NodeIsRegisteredReadyWithItsColumnsLabelsPodCidrAndLease()
    {
        var table = await Kubectl.OkAsync(S, "get", "nodes", "-o", "wide");
        var header = table.Split('\n')[0];
        foreach (var column in new[] { "NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME" })
            Assert.Contains(column, header);
        var row = table.Split('\n').Single(l => l.StartsWith(NodeName + " "));
        Assert.Matches(@"\sReady\s+control-plane,master\s", row);
        Assert.Contains("v1.36.0+skiff", row);
        Assert.Contains("containerd://1.6", row);

        var node = JsonNode.Parse(await Kubectl.OkAsync(S, "get", "node", NodeName, "-o", "json"))!;
        var labels = node["metadata"]!["labels"]!;
        Assert.Equal(NodeName, labels["kubernetes.io/hostname"]!.GetValue<string>());
        Assert.Equal("linux", labels["kubernetes.io/os"]!.GetValue<string>());
        Assert.Equal("amd64", labels["kubernetes.io/arch"]!.GetValue<string>());
        var cidr = node["spec"]!["podCIDR"]!.GetValue<string>();
        Assert.True(IPNetwork.Parse(S.ClusterCidr).Contains(IPNetwork.Parse(cidr).BaseAddress), $"{cidr} in {S.ClusterCidr}");
        Assert.EndsWith("/24", cidr);
        Assert.Equal(cidr, node["spec"]!["podCIDRs"]![0]!.GetValue<string>());
        var status = node["status"]!;
        foreach (var (type, expected) in new[] { ("Ready", "True"), ("MemoryPressure", "False"), ("DiskPressure", "False"), ("PIDPressure", "False") })
            Assert.Equal(expected, status["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == type)!["status"]!.GetValue<string>());
        Assert.True(int.Parse(status["capacity"]!["cpu"]!.GetValue<string>()) >= 1);
        Assert.EndsWith("Ki", status["allocatable"]!["memory"]!.GetValue<string>());
        Assert.Equal("110", status["capacity"]!["pods"]!.GetValue<string>());
        Assert.Contains(status["addresses"]!.AsArray(), a => a!["type"]!.GetValue<string>() == "InternalIP");
        Assert.False(string.IsNullOrEmpty(status["nodeInfo"]!["kernelVersion"]!.GetValue<string>()));
        // The kubelet API's port (the tests ask for a free one, --kubelet-port 0); the API server reaches the kubelet there.
        var kubeletPort = status["daemonEndpoints"]!["kubeletEndpoint"]!["Port"]!.GetValue<int>();
        Assert.InRange(kubeletPort, 1, 65535);
        Assert.Equal("ok", await Kubectl.OkAsync(S, "get", "--raw", $"/api/v1/nodes/{NodeName}/proxy/healthz"));

        var lease = JsonNode.Parse(await Kubectl.OkAsync(S, "get", "lease", NodeName, "-n", "kube-node-lease", "-o", "json"))!;
        Assert.Equal(NodeName, lease["spec"]!["holderIdentity"]!.GetValue<string>());
        Assert.Equal(40, lease["spec"]!["leaseDurationSeconds"]!.GetValue<int>());
        var renewed = lease["spec"]!["renewTime"]!.GetValue<string>();
        await Node.WaitAsync(async () =>
        {
            var now = await Kubectl.OkAsync(S, "get", "lease", NodeName, "-n", "kube-node-lease", "-o", "jsonpath={.spec.renewTime}");
            return now != renewed;
        }, TimeSpan.FromSeconds(30), "the lease to be renewed", S);
    }

    [Fact]
    public async Task APodRunsWithAnIpFromTheNodesPodCidrAndLogsWhereCriPutsThem()
    {
        var ns = await f.NamespaceAsync("run");
        var clock = Stopwatch.StartNew();
        await Node.ApplyAsync(S, ns, Node.PodYaml("hi", NodeName, "echo hi; sleep 3600"));
        var pod = await Node.WaitForPodAsync(S, ns, "hi", p => Node.Phase(p) == "Running" && Node.Condition(p, "Ready") == "True", "Running and Ready");
        output.WriteLine($"pod create → Running and Ready: {clock.ElapsedMilliseconds} ms");

        var cidr = await Kubectl.OkAsync(S, "get", "node", NodeName, "-o", "jsonpath={.spec.podCIDR}");
        var ip = IPAddress.Parse(pod["status"]!["podIP"]!.GetValue<string>());
        Assert.True(IPNetwork.Parse(cidr).Contains(ip), $"{ip} in {cidr}");
        var hostIp = await Kubectl.OkAsync(S, "get", "node", NodeName, "-o", "jsonpath={.status.addresses[?(@.type==\"InternalIP\")].address}");
        Assert.Equal(hostIp, pod["status"]!["hostIP"]!.GetValue<string>());
        foreach (var type in new[] { "PodScheduled", "Initialized", "ContainersReady", "Ready", "PodReadyToStartContainers" })
            Assert.Equal("True", Node.Condition(pod, type));
        var main = Node.Container(pod)!;
        Assert.StartsWith("containerd://", main["containerID"]!.GetValue<string>());
        Assert.Equal(0, main["restartCount"]!.GetValue<int>());
        Assert.NotNull(main["state"]!["running"]);

        var uid = pod["metadata"]!["uid"]!.GetValue<string>();
        var log = Path.Combine(S.DataDir, "agent", "pods", $"{ns}_hi_{uid}", "main", "0.log");
        await Node.WaitAsync(() => Task.FromResult(File.Exists(log) && File.ReadAllText(log).Contains(" stdout F hi")), Node.Patience, "the CRI log line", S);
    }

    [Fact]
    public async Task AContainerExitingWith3UnderNeverFailsThePodWithReasonErrorAndItsMessage()
    {
        var ns = await f.NamespaceAsync("fail");
        await Node.ApplyAsync(S, ns, Node.PodYaml("exit3", NodeName, "echo 'it broke' > /dev/termination-log; exit 3", restartPolicy: "Never"));
        var pod = await Node.WaitForPodAsync(S, ns, "exit3", p => Node.Phase(p) == "Failed", "Failed");
        var terminated = Node.Container(pod)!["state"]!["terminated"]!;
        Assert.Equal(3, terminated["exitCode"]!.GetValue<int>());
        Assert.Equal("Error", terminated["reason"]!.GetValue<string>());
        Assert.Equal("it broke\n", terminated["message"]!.GetValue<string>());
        Assert.Equal(0, Node.Container(pod)!["restartCount"]!.GetValue<int>());
        Assert.Equal("False", Node.Condition(pod, "Ready"));

        await Node.ApplyAsync(S, ns, Node.PodYaml("done", NodeName, "exit 0", restartPolicy: "OnFailure"));
        pod = await Node.WaitForPodAsync(S, ns, "done", p => Node.Phase(p) == "Succeeded", "Succeeded");
        Assert.Equal("Completed", Node.Container(pod)!["state"]!["terminated"]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task ASidecarRunsBeforeTheContainerAndDoesNotKeepAJobLikePodFromSucceeding()
    {
        var ns = await f.NamespaceAsync("sidecar");
        await Node.ApplyAsync(S, ns, """
            apiVersion: v1
            kind: Pod
            metadata:
              name: job
            spec:
              nodeName: NODE_NAME
              restartPolicy: Never
              terminationGracePeriodSeconds: 2
              volumes:
              - {name: work, emptyDir: {}}
              initContainers:
              - name: helper
                image: busybox
                imagePullPolicy: IfNotPresent
                restartPolicy: Always
                command: [sh, -c, "echo helping > /work/helper; exec sleep 3600"]
                volumeMounts: [{name: work, mountPath: /work}]
                startupProbe:
                  exec: {command: [cat, /work/helper]}
                  periodSeconds: 1
              containers:
              - name: main
                image: busybox
                imagePullPolicy: IfNotPresent
                command: [sh, -c, "cat /work/helper > /dev/termination-log"]
                volumeMounts: [{name: work, mountPath: /work}]
            """.Replace("NODE_NAME", NodeName));
        var pod = await Node.WaitForPodAsync(S, ns, "job", p => Node.Phase(p) is "Succeeded" or "Failed", "to finish");

        Assert.Equal("Succeeded", Node.Phase(pod));
        Assert.Equal("helping\n", Node.Container(pod)!["state"]!["terminated"]!["message"]!.GetValue<string>());
        Assert.Equal("True", Node.Condition(pod, "Initialized"));
        static JsonNode Helper(JsonNode p) => p["status"]!["initContainerStatuses"]!.AsArray().Single(s => s!["name"]!.GetValue<string>() == "helper")!;
        Assert.NotNull(Helper(pod)["containerID"]);
        if (Helper(pod)["state"]?["running"] is not null) Assert.True(Helper(pod)["started"]!.GetValue<bool>(), Helper(pod).ToJsonString());

        // The sidecar is stopped once the pod is done, and the final status says so; the phase stays.
        pod = await Node.WaitForPodAsync(S, ns, "job", p => Helper(p)["state"]?["terminated"] is not null, "the helper to be stopped");
        Assert.Equal("Succeeded", Node.Phase(pod));
        Assert.False(Helper(pod)["ready"]!.GetValue<bool>());
    }

    [Fact]
    public async Task APodPastItsActiveDeadlineFailsWithDeadlineExceededAndKubectlDescribeShowsIt()
    {
        var ns = await f.NamespaceAsync("deadline");
        await Node.ApplyAsync(S, ns, Node.PodYaml("late", NodeName, "sleep 3600", podExtra: "  activeDeadlineSeconds: 3"));
        var pod = await Node.WaitForPodAsync(S, ns, "late", p => Node.Phase(p) == "Failed", "Failed");

        Assert.Equal("DeadlineExceeded", pod["status"]!["reason"]!.GetValue<string>());
        Assert.Equal("Pod was active on the node longer than the specified deadline", pod["status"]!["message"]!.GetValue<string>());
        Assert.NotNull(Node.Container(pod)!["state"]!["terminated"]);
        // kubectl get's STATUS is the container's "Error" here, as upstream's printer makes it; describe shows the pod's.
        var described = await Kubectl.OkAsync(S, "describe", "pod", "late", "-n", ns);
        Assert.Matches(@"(?m)^Reason:\s+DeadlineExceeded$", described);
        Assert.Matches(@"(?m)^Message:\s+Pod was active on the node longer than the specified deadline$", described);
    }

    [Fact]
    public async Task ACrashingContainerBacksOffWithCrashLoopBackOffAndAGrowingRestartCount()
    {
        var ns = await f.NamespaceAsync("crash");
        await Node.ApplyAsync(S, ns, Node.PodYaml("crash", NodeName, "echo boom; exit 1"));
        var pod = await Node.WaitForPodAsync(S, ns, "crash",
            p => Node.Container(p)?["state"]?["waiting"]?["reason"]?.GetValue<string>() == "CrashLoopBackOff", "CrashLoopBackOff");
        var waiting = Node.Container(pod)!["state"]!["waiting"]!;
        Assert.StartsWith("back-off 10s restarting failed container=main pod=crash_" + ns, waiting["message"]!.GetValue<string>());
        Assert.Equal(1, Node.Container(pod)!["lastState"]!["terminated"]!["exitCode"]!.GetValue<int>());
        Assert.Equal("Running", Node.Phase(pod));
        var table = await Kubectl.OkAsync(S, "get", "pod", "crash", "-n", ns);
        Assert.Contains("CrashLoopBackOff", table);

        pod = await Node.WaitForPodAsync(S, ns, "crash", p => Node.Container(p)?["restartCount"]?.GetValue<int>() >= 2, "a second restart", TimeSpan.FromSeconds(45));
        pod = await Node.WaitForPodAsync(S, ns, "crash",
            p => Node.Container(p)?["state"]?["waiting"]?["message"]?.GetValue<string>()?.StartsWith("back-off 20s") == true, "the backoff to double");
    }

    [Fact]
    public async Task AReadinessProbeGatesReadyAndALivenessProbeRestarts()
    {
        var ns = await f.NamespaceAsync("probe");
        await Node.ApplyAsync(S, ns, Node.PodYaml("web", NodeName, "mkdir -p /www; echo ok > /www/index.html; sleep 3; httpd -f -p 8080 -h /www", extra: """
                readinessProbe:
                  httpGet: {path: /index.html, port: web}
                  periodSeconds: 1
                ports:
                - {name: web, containerPort: 8080}
            """));
        var pod = await Node.WaitForPodAsync(S, ns, "web", p => Node.Phase(p) == "Running", "Running");
        Assert.Equal("False", Node.Condition(pod, "Ready"));
        Assert.False(Node.Container(pod)!["ready"]!.GetValue<bool>());
        pod = await Node.WaitForPodAsync(S, ns, "web", p => Node.Condition(p, "Ready") == "True", "Ready after the probe passes");
        Assert.True(Node.Container(pod)!["ready"]!.GetValue<bool>());

        await Node.ApplyAsync(S, ns, Node.PodYaml("live", NodeName, "touch /tmp/alive; sleep 2; rm /tmp/alive; sleep 3600", extra: """
                livenessProbe:
                  exec: {command: [cat, /tmp/alive]}
                  periodSeconds: 1
                  failureThreshold: 1
            """));
        pod = await Node.WaitForPodAsync(S, ns, "live", p => Node.Container(p)?["restartCount"]?.GetValue<int>() >= 1, "a restart after the liveness probe failed");
        Assert.NotNull(Node.Container(pod)!["lastState"]!["terminated"]);
    }

    [Fact]
    public async Task InitContainersRunInOrderThenPostStartThenTheContainerWithItsEnvironment()
    {
        var ns = await f.NamespaceAsync("env");
        await Kubectl.OkAsync(S, "create", "configmap", "cfg", "-n", ns, "--from-literal=color=blue", "--from-literal=size=L");
        await Kubectl.OkAsync(S, "create", "secret", "generic", "sec", "-n", ns, "--from-literal=token=s3cret");
        await Node.ApplyAsync(S, ns, """
            apiVersion: v1
            kind: Pod
            metadata:
              name: env
              labels: {app: envtest}
            spec:
              nodeName: NODE_NAME
              restartPolicy: Never
              volumes:
              - {name: work, emptyDir: {}}
              initContainers:
              - {name: one, image: busybox, imagePullPolicy: IfNotPresent, command: [sh, -c, "echo one > /work/order"], volumeMounts: [{name: work, mountPath: /work}]}
              - {name: two, image: busybox, imagePullPolicy: IfNotPresent, command: [sh, -c, "echo two >> /work/order"], volumeMounts: [{name: work, mountPath: /work}]}
              containers:
              - name: main
                image: busybox
                imagePullPolicy: IfNotPresent
                workingDir: /work
                command: [sh, -c]
                args: ["until [ -f poststart ]; do sleep 0.1; done; (cat order poststart; echo \"$GREETING|$COLOR|$CFG_size|$TOKEN|$POD|$NS|$APP|$MEM|$(POD)|$ESCAPED\"; id -u; cat /sys/fs/cgroup/memory/memory.limit_in_bytes) > /dev/termination-log"]
                volumeMounts: [{name: work, mountPath: /work}]
                securityContext: {runAsUser: 1234}
                resources: {limits: {memory: 64Mi, cpu: 250m}}
                lifecycle:
                  postStart:
                    exec: {command: [sh, -c, "echo started > /work/poststart"]}
                envFrom:
                - {configMapRef: {name: cfg}, prefix: CFG_}
                env:
                - {name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
                - {name: NS, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
                - {name: APP, valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}}
                - {name: GREETING, value: "hello $(POD)"}
                - {name: ESCAPED, value: "$$(POD) stays"}
                - {name: COLOR, valueFrom: {configMapKeyRef: {name: cfg, key: color}}}
                - {name: TOKEN, valueFrom: {secretKeyRef: {name: sec, key: token}}}
                - {name: MEM, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}
            """.Replace("NODE_NAME", NodeName));
        var pod = await Node.WaitForPodAsync(S, ns, "env", p => Node.Phase(p) is "Succeeded" or "Failed", "to finish");
        Assert.Equal("Succeeded", Node.Phase(pod));
        var message = Node.Container(pod)!["state"]!["terminated"]!["message"]!.GetValue<string>();
        Assert.Equal($"one\ntwo\nstarted\nhello env|blue|L|s3cret|env|{ns}|envtest|64|env|$(POD) stays\n1234\n67108864\n", message);
        var inits = pod["status"]!["initContainerStatuses"]!.AsArray();
        Assert.Equal(["one", "two"], inits.Select(i => i!["name"]!.GetValue<string>()));
        Assert.All(inits, i => Assert.Equal("Completed", i!["state"]!["terminated"]!["reason"]!.GetValue<string>()));
        Assert.Equal("True", Node.Condition(pod, "Initialized"));
        Assert.Equal("Burstable", pod["status"]!["qosClass"]!.GetValue<string>());
    }

    [Fact]
    public async Task SecurityContextAndHostNetworkReachTheContainer()
    {
        var ns = await f.NamespaceAsync("sec");
        await Node.ApplyAsync(S, ns, Node.PodYaml("locked", NodeName,
            "(touch /probe 2>/dev/null && echo writable || echo readonly; grep CapEff /proc/self/status) > /dev/termination-log",
            restartPolicy: "Never", extra: """
                securityContext:
                  readOnlyRootFilesystem: true
                  capabilities: {drop: [ALL]}
            """));
        var pod = await Node.WaitForPodAsync(S, ns, "locked", p => Node.Phase(p) == "Succeeded", "Succeeded");
        Assert.Equal("readonly\nCapEff:\t0000000000000000\n", Node.Container(pod)!["state"]!["terminated"]!["message"]!.GetValue<string>());

        await Node.ApplyAsync(S, ns, Node.PodYaml("host", NodeName, "sleep 3600", podExtra: "  hostNetwork: true"));
        pod = await Node.WaitForPodAsync(S, ns, "host", p => Node.Phase(p) == "Running", "Running");
        Assert.Equal(pod["status"]!["hostIP"]!.GetValue<string>(), pod["status"]!["podIP"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheKubeletReportsAPodsLifeAsEventsThatKubectlDescribeShows()
    {
        var ns = await f.NamespaceAsync("events");
        await Node.ApplyAsync(S, ns, Node.PodYaml("told", NodeName, "touch /tmp/alive; sleep 2; rm /tmp/alive; sleep 3600", extra: """
                livenessProbe:
                  exec: {command: [cat, /tmp/alive]}
                  periodSeconds: 1
                  failureThreshold: 1
            """));
        await Node.WaitForPodAsync(S, ns, "told", p => Node.Container(p)?["restartCount"]?.GetValue<int>() >= 1, "a restart after the liveness probe failed");

        // Events are written in the background: wait for the restart's second Started (one event, count 2).
        JsonArray events = [];
        await Node.WaitAsync(async () =>
        {
            events = JsonNode.Parse(await Kubectl.OkAsync(S, "get", "events", "-n", ns, "--field-selector", "involvedObject.name=told", "-o", "json"))!["items"]!.AsArray();
            return events.Any(e => Reason(e) == "Started" && e!["count"]!.GetValue<int>() >= 2);
        }, Node.Patience, "the kubelet's Started event with count 2", S);

        JsonNode One(string reason) => events.Single(e => Reason(e) == reason)!;
        foreach (var (reason, type, message) in new[]
        {
            ("Pulled", "Normal", "Container image \"busybox\" already present on machine and can be accessed by the pod"),
            ("Created", "Normal", "Container created"),
            ("Started", "Normal", "Container started"),
            ("Unhealthy", "Warning", "Liveness probe failed: cat: can't open '/tmp/alive': No such file or directory"),
            ("Killing", "Normal", "Container main failed liveness probe, will be restarted"),
        })
        {
            var e = One(reason);
            Assert.Equal(type, e["type"]!.GetValue<string>());
            Assert.Equal(message, e["message"]!.GetValue<string>());
            Assert.Equal("spec.containers{main}", e["involvedObject"]!["fieldPath"]!.GetValue<string>());
            Assert.Equal("Pod", e["involvedObject"]!["kind"]!.GetValue<string>());
            Assert.Equal("kubelet", e["source"]!["component"]!.GetValue<string>());
            Assert.Equal(NodeName, e["source"]!["host"]!.GetValue<string>());
            Assert.Equal("kubelet", e["reportingComponent"]!.GetValue<string>());
        }

        // kubectl describe finds them by the pod's uid and prints upstream's table.
        var described = await Kubectl.OkAsync(S, "describe", "pod", "told", "-n", ns);
        var table = described[described.IndexOf("\nEvents:", StringComparison.Ordinal)..];
        Assert.Matches(@"Type\s+Reason\s+Age\s+From\s+Message", table);
        Assert.Matches(@"Warning\s+Unhealthy\s+.*kubelet\s+Liveness probe failed", table);
        Assert.Matches(@"Normal\s+Started\s+.*\(x\d+ over .*kubelet\s+Container started", table);

        // The node's own: the kubelet started and the node became Ready (events of cluster-scoped objects live in default).
        var nodeEvents = JsonNode.Parse(await Kubectl.OkAsync(S, "get", "events", "-n", "default",
            "--field-selector", $"involvedObject.kind=Node,involvedObject.name={NodeName}", "-o", "json"))!["items"]!.AsArray();
        Assert.Contains(nodeEvents, e => Reason(e) == "Starting" && e!["message"]!.GetValue<string>() == "Starting kubelet.");
        Assert.Contains(nodeEvents, e => Reason(e) == "NodeReady" && e!["message"]!.GetValue<string>() == $"Node {NodeName} status is now: NodeReady");

        static string? Reason(JsonNode? e) => e?["reason"]?.GetValue<string>();
    }

    [Fact]
    public async Task MissingImagesAndConfigAreReportedAsWaitingReasons()
    {
        var ns = await f.NamespaceAsync("waiting");
        await Node.ApplyAsync(S, ns, Node.PodYaml("never", NodeName, "true").Replace("image: busybox\n    imagePullPolicy: IfNotPresent", "image: localhost/skiff/absent:1\n    imagePullPolicy: Never"));
        var pod = await Node.WaitForPodAsync(S, ns, "never", p => Node.Container(p)?["state"]?["waiting"]?["reason"]?.GetValue<string>() == "ErrImageNeverPull", "ErrImageNeverPull");
        Assert.Equal("Pending", Node.Phase(pod));

        await Node.ApplyAsync(S, ns, Node.PodYaml("nocfg", NodeName, "true", extra: """
                env:
                - {name: X, valueFrom: {configMapKeyRef: {name: absent, key: x}}}
            """));
        pod = await Node.WaitForPodAsync(S, ns, "nocfg", p => Node.Container(p)?["state"]?["waiting"]?["reason"]?.GetValue<string>() == "CreateContainerConfigError", "CreateContainerConfigError");
        Assert.Contains("configmap \"absent\" not found", Node.Container(pod)!["state"]!["waiting"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task DeletingARunningPodStopsItGracefullyAndRemovesTheObject()
    {
        var ns = await f.NamespaceAsync("delete");
        // The hook and the trap leave their marks in a hostPath directory, which outlives the pod (its log
        // directory goes with it, too quickly to read reliably).
        var evidence = Path.Combine(S.DataDir, "evidence-" + ns);
        await Node.ApplyAsync(S, ns, Node.PodYaml("graceful", NodeName, "trap 'echo got TERM >> /evidence/log; exit 0' TERM; while true; do sleep 0.2; done", extra: """
                volumeMounts: [{name: evidence, mountPath: /evidence}]
                lifecycle:
                  preStop:
                    exec: {command: [sh, -c, "echo prestop >> /evidence/log"]}
            """, podExtra: $$$"""
              volumes: [{name: evidence, hostPath: {path: {{{evidence}}}, type: DirectoryOrCreate}}]
            """));
        var pod = await Node.WaitForPodAsync(S, ns, "graceful", p => Node.Phase(p) == "Running", "Running");
        var uid = pod["metadata"]!["uid"]!.GetValue<string>();
        var log = Path.Combine(S.DataDir, "agent", "pods", $"{ns}_graceful_{uid}", "main", "0.log");
        var clock = Stopwatch.StartNew();
        await Kubectl.OkAsync(S, "delete", "pod", "graceful", "-n", ns, "--wait=true");
        output.WriteLine($"kubectl delete (grace 10 s, trapping SIGTERM) took {clock.ElapsedMilliseconds} ms");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(9), "the container exited on SIGTERM, before the grace period ended");
        Assert.Null(await Node.PodAsync(S, ns, "graceful"));
        Assert.Equal("prestop\ngot TERM\n", await File.ReadAllTextAsync(Path.Combine(evidence, "log")));
        Assert.False(Directory.Exists(Path.GetDirectoryName(Path.GetDirectoryName(log))), "the pod's log directory is removed");
    }
}

/// <summary>Restarting skiff leaves pods running and re-adopts them; killall then stops everything.</summary>
public sealed class NodeRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly SkiffServer _server = new() { WithAgent = true };

    public async Task InitializeAsync()
    {
        await _server.StartAsync();
        await Node.WaitAsync(() => Node.NodeReadyAsync(_server, _server.NodeName), TimeSpan.FromSeconds(90), "the node to be Ready", _server);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ARunningPodSurvivesAServerRestartWithTheSameContainerAndKillallCleansUp()
    {
        await Kubectl.OkAsync(_server, "create", "namespace", "restart");
        await Node.ApplyAsync(_server, "restart", Node.PodYaml("keep", _server.NodeName, "sleep 3600", extra: """
                readinessProbe:
                  exec: {command: ["true"]}
                  periodSeconds: 1
            """));
        var before = await Node.WaitForPodAsync(_server, "restart", "keep", p => Node.Condition(p, "Ready") == "True", "Ready");
        var containerId = Node.Container(before)!["containerID"]!.GetValue<string>();
        var podCgroup = PodCgroup.Dir("memory", $"/kubepods/besteffort/pod{before["metadata"]!["uid"]!.GetValue<string>()}");
        Assert.True(Directory.Exists(podCgroup), $"{podCgroup} exists");

        await _server.StopAsync();
        await _server.StartAsync();
        var clock = Stopwatch.StartNew();
        await Node.WaitAsync(() => Node.NodeReadyAsync(_server, _server.NodeName), TimeSpan.FromSeconds(60), "the node to be Ready again", _server);
        // The kubelet has synced the pod once its PLEG ran: give it a moment, then the pod must be as it was.
        var after = await Node.WaitForPodAsync(_server, "restart", "keep",
            p => _server.Log.Contains("Kubelet on node") && Node.Condition(p, "Ready") == "True", "still Ready");
        output.WriteLine($"node Ready again {clock.ElapsedMilliseconds} ms after the restart");
        Assert.Equal(containerId, Node.Container(after)!["containerID"]!.GetValue<string>());
        Assert.Equal(0, Node.Container(after)!["restartCount"]!.GetValue<int>());
        Assert.Equal("Running", Node.Phase(after));
        await Task.Delay(TimeSpan.FromSeconds(3));
        after = (await Node.PodAsync(_server, "restart", "keep"))!;
        Assert.Equal(containerId, Node.Container(after)!["containerID"]!.GetValue<string>());
        Assert.Equal("True", Node.Condition(after, "Ready"));

        var chain = "SKIFF-MASQ-" + _server.Bridge;
        Assert.Contains($"-j {chain}", NatRules("POSTROUTING"));
        Assert.Contains($"-A {chain} -j MASQUERADE", NatRules(chain));

        await _server.KillallAsync();
        Assert.False(Directory.Exists($"/sys/class/net/{_server.Bridge}"), "the bridge is deleted");
        Assert.DoesNotContain($"-j {chain}", NatRules("POSTROUTING"));
        Assert.Equal("", NatRules(chain));
        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mountinfo"), l => l.Contains(_server.DataDir));
        Assert.False(Directory.Exists(podCgroup), "the pod's cgroup is removed");
        var leftovers = Directory.EnumerateDirectories("/proc")
            .Select(d => { try { return File.ReadAllText(Path.Combine(d, "cmdline")); } catch (IOException) { return ""; } catch (UnauthorizedAccessException) { return ""; } })
            .Where(c => c.Contains(_server.DataDir)).ToList();
        Assert.Empty(leftovers);
    }

    /// <summary>The nat table's rules of one chain as <c>iptables -S</c> prints them; empty when the chain is not there.</summary>
    private static string NatRules(string chain)
    {
        using var p = Process.Start(new ProcessStartInfo("iptables", ["-w", "-t", "nat", "-S", chain]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? stdout : "";
    }
}
