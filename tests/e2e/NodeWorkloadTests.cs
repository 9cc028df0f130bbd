using System.Text.Json.Nodes;

namespace Skiff.E2E;

/// <summary>
/// The node-agent issue's kubectl checks on a real node: `kubectl run` scheduled onto it, logs and exec,
/// a terminal (pty) and attach, volumes laid out as upstream lays them out, and an OOM kill.
/// </summary>
public sealed class NodeWorkloadTests(AgentServerFixture f) : IClassFixture<AgentServerFixture>
{
    private SkiffServer S => f.Server;

    [Fact]
    public async Task KubectlRunIsScheduledOntoTheNodeAndLogsAndExecWork()
    {
        var ns = await f.NamespaceAsync("run");
        await Kubectl.OkAsync(S, "run", "b", "-n", ns, "--image=busybox", "--", "sh", "-c", "echo hi; sleep 3600");
        var pod = await Node.WaitForPodAsync(S, ns, "b", p => Node.Phase(p) == "Running", "Running");
        Assert.Equal(S.NodeName, pod["spec"]!["nodeName"]!.GetValue<string>());
        await Node.WaitAsync(async () => (await Kubectl.RunAsync(S, ["logs", "b", "-n", ns])).Stdout == "hi\n", Node.Patience, "logs to print hi", S);
        var exit = await Kubectl.RunAsync(S, ["exec", "b", "-n", ns, "--", "sh", "-c", "exit 3"]);
        Assert.Equal(3, exit.ExitCode);

        // ServiceAccount admission gave it the default account's token, the CA and its namespace.
        Assert.Equal("default", pod["spec"]!["serviceAccountName"]!.GetValue<string>());
        Assert.Equal(ns, await Kubectl.OkAsync(S, "exec", "b", "-n", ns, "--", "cat", "/var/run/secrets/kubernetes.io/serviceaccount/namespace"));
        var token = await Kubectl.OkAsync(S, "exec", "b", "-n", ns, "--", "cat", "/var/run/secrets/kubernetes.io/serviceaccount/token");
        using var api = new ApiClient(S, clientCertificate: false);
        var req = new HttpRequestMessage(HttpMethod.Post, "/apis/authentication.k8s.io/v1/selfsubjectreviews")
        {
            Content = new StringContent("""{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        req.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        var whoami = await (await api.Http.SendAsync(req)).Content.ReadAsStringAsync();
        Assert.Contains($"system:serviceaccount:{ns}:default", whoami);
    }

    [Fact]
    public async Task AutomountFalseLeavesThePodWithoutAToken()
    {
        var ns = await f.NamespaceAsync("noauto");
        await Node.ApplyAsync(S, ns, Node.PodYaml("quiet", S.NodeName, "sleep 3600", podExtra: "  automountServiceAccountToken: false"));
        var pod = await Node.PodAsync(S, ns, "quiet");
        Assert.Null(pod!["spec"]!["volumes"]);
    }

    [Fact]
    public async Task ExecUnderATerminalAndAttachWork()
    {
        var ns = await f.NamespaceAsync("tty");
        await Node.ApplyAsync(S, ns, Node.PodYaml("ticker", S.NodeName, "while true; do echo tick; sleep 1; done"));
        await Node.WaitForPodAsync(S, ns, "ticker", p => Node.Phase(p) == "Running", "Running");

        // `script` gives kubectl a terminal, so -it allocates a pty in the container.
        var (_, tty) = await Processes.RunAsync("script", ["-qec", $"kubectl --kubeconfig {S.Kubeconfig} exec -it ticker -n {ns} -- tty", "/dev/null"], TimeSpan.FromSeconds(60));
        Assert.Contains("/dev/pts/", tty);

        // attach streams the running container's output until stopped.
        var (_, attached) = await Processes.RunAsync("kubectl", ["--kubeconfig", S.Kubeconfig, "attach", "ticker", "-n", ns], TimeSpan.FromSeconds(6), killAtTimeout: true);
        Assert.Contains("tick", attached);
    }

    [Fact]
    public async Task VolumesAndEnvAreLaidOutAsUpstreamDoes()
    {
        var ns = await f.NamespaceAsync("vol");
        await Kubectl.OkAsync(S, "create", "configmap", "cfg", "-n", ns, "--from-literal=greeting=hello");
        await Kubectl.OkAsync(S, "create", "secret", "generic", "sec", "-n", ns, "--from-literal=password=s3cret");
        await Kubectl.OkAsync(S, "create", "serviceaccount", "app", "-n", ns);
        const string script = "cat /etc/cfg/greeting; echo; echo $PASSWORD; cat /var/run/secrets/kubernetes.io/serviceaccount/namespace; echo; " +
            "head -c 2 /var/run/secrets/kubernetes.io/serviceaccount/token; echo; grep -c BEGIN /var/run/secrets/kubernetes.io/serviceaccount/ca.crt; " +
            "ls -a /etc/cfg | grep -c '^..data$'; cat /init/done; sleep 3600";
        await Node.ApplyAsync(S, ns, $$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: v}
            spec:
              nodeName: {{{S.NodeName}}}
              serviceAccountName: app
              initContainers:
              - {name: init, image: busybox, imagePullPolicy: IfNotPresent, command: ["sh", "-c", "echo ready > /init/done"], volumeMounts: [{name: scratch, mountPath: /init}]}
              containers:
              - name: main
                image: busybox
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", {{{System.Text.Json.JsonSerializer.Serialize(script)}}}]
                env:
                - name: PASSWORD
                  valueFrom:
                    secretKeyRef: {name: sec, key: password}
                volumeMounts:
                - {name: cfg, mountPath: /etc/cfg}
                - {name: scratch, mountPath: /init}
                - {name: kube-api-access, mountPath: /var/run/secrets/kubernetes.io/serviceaccount, readOnly: true}
              volumes:
              - {name: cfg, configMap: {name: cfg}}
              - {name: scratch, emptyDir: {}}
              - name: kube-api-access
                projected:
                  sources:
                  - serviceAccountToken: {path: token, expirationSeconds: 3607}
                  - configMap: {name: kube-root-ca.crt, items: [{key: ca.crt, path: ca.crt}]}
                  - downwardAPI: {items: [{path: namespace, fieldRef: {fieldPath: metadata.namespace}}]}
            """);
        await Node.WaitForPodAsync(S, ns, "v", p => Node.Phase(p) == "Running", "Running");
        string logs = "";
        await Node.WaitAsync(async () => (logs = (await Kubectl.RunAsync(S, ["logs", "v", "-n", ns])).Stdout).Contains("ready"), Node.Patience, "the pod's report", S);
        Assert.Equal($"hello\ns3cret\n{ns}\ney\n1\n1\nready\n", logs);
    }

    [Fact]
    public async Task APodsContainersRunInThePodsCgroupWhichHoldsThePodsLimitsAndGoesWithThePod()
    {
        var ns = await f.NamespaceAsync("cgroup");
        await Node.ApplyAsync(S, ns, $$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: sized}
            spec:
              nodeName: {{{S.NodeName}}}
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: busybox
                imagePullPolicy: IfNotPresent
                command: ["sleep", "3600"]
                resources: {limits: {cpu: 300m, memory: 48Mi}}
              - name: side
                image: busybox
                imagePullPolicy: IfNotPresent
                command: ["sleep", "3600"]
                resources: {limits: {cpu: 200m, memory: 16Mi}}
            """);
        var pod = await Node.WaitForPodAsync(S, ns, "sized", p => Node.Condition(p, "Ready") == "True", "Ready");
        Assert.Equal("Guaranteed", pod["status"]!["qosClass"]!.GetValue<string>());
        var path = $"/kubepods/pod{pod["metadata"]!["uid"]!.GetValue<string>()}";

        // The sums of the two containers' limits, in the pod's own cgroup.
        var memory = PodCgroup.Dir("memory", path);
        Assert.Equal((64L << 20).ToString(), PodCgroup.Read("memory", path, PodCgroup.V2 ? "memory.max" : "memory.limit_in_bytes"));
        Assert.Equal(PodCgroup.V2 ? "50000 100000" : "50000", PodCgroup.Read("cpu", path, PodCgroup.V2 ? "cpu.max" : "cpu.cfs_quota_us"));
        if (!PodCgroup.V2) Assert.Equal("512", PodCgroup.Read("cpu", path, "cpu.shares"));

        // The sandbox and both containers are below it, each with its own processes.
        var children = Directory.GetDirectories(memory);
        Assert.Equal(3, children.Length);
        Assert.All(children, c => Assert.NotEmpty(File.ReadAllText(Path.Combine(c, "cgroup.procs")).Trim()));
        var main = Node.Container(pod)!["containerID"]!.GetValue<string>().Replace("containerd://", "");
        Assert.Contains(children, c => Path.GetFileName(c) == main);

        await Kubectl.OkAsync(S, "delete", "pod", "sized", "-n", ns);
        Assert.Null(await Node.PodAsync(S, ns, "sized"));
        Assert.False(Directory.Exists(memory), $"{memory} is removed with the pod");
        Assert.False(Directory.Exists(PodCgroup.Dir("cpu", path)), "and from the cpu hierarchy");
    }

    [Fact]
    public async Task TheKubeletsResourceMetricsReportTheNodeAndARunningContainerThroughNodesProxy()
    {
        var ns = await f.NamespaceAsync("metrics");
        await Node.ApplyAsync(S, ns, Node.PodYaml("busy", S.NodeName, "dd if=/dev/zero of=/dev/null bs=1M count=50000; sleep 3600"));
        await Node.WaitForPodAsync(S, ns, "busy", p => Node.Phase(p) == "Running", "Running");

        var labels = $"{{container=\"main\",namespace=\"{ns}\",pod=\"busy\"}}";
        string text = "";
        double Sample(string name, string sampleLabels)
        {
            var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(name + sampleLabels + " ", StringComparison.Ordinal));
            return line is null ? -1 : double.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        // dd spends about half a CPU second here (5,000 MiB took only 0.07-0.08 s on a fast core, under the 0.1 s looked for),
        // then the container sleeps; the runtime's first stats may take a moment.
        await Node.WaitAsync(async () =>
        {
            text = await Kubectl.OkAsync(S, "get", "--raw", $"/api/v1/nodes/{S.NodeName}/proxy/metrics/resource");
            return Sample("container_cpu_usage_seconds_total", labels) > 0.1;
        }, Node.Patience, "the container's CPU time in /metrics/resource", S);

        Assert.Contains("# TYPE container_cpu_usage_seconds_total counter", text);
        Assert.True(Sample("container_memory_working_set_bytes", labels) > 0, text);
        Assert.True(Sample("pod_cpu_usage_seconds_total", $"{{namespace=\"{ns}\",pod=\"busy\"}}") >= Sample("container_cpu_usage_seconds_total", labels));
        Assert.True(Sample("node_cpu_usage_seconds_total", "") > 0, text);
        Assert.True(Sample("node_memory_working_set_bytes", "") > 0, text);
        Assert.Equal(0, Sample("resource_scrape_error", ""));
    }

    [Fact]
    public async Task APodWritingMoreThanItsEmptyDirSizeLimitIsEvicted()
    {
        var ns = await f.NamespaceAsync("evict");
        await Node.ApplyAsync(S, ns, Node.PodYaml("filler", S.NodeName, "dd if=/dev/zero of=/scratch/fill bs=1M count=3; sleep 3600",
            extra: "    volumeMounts: [{name: scratch, mountPath: /scratch}]",
            podExtra: "  volumes: [{name: scratch, emptyDir: {sizeLimit: 1Mi}}]"));
        var pod = await Node.WaitForPodAsync(S, ns, "filler", p => Node.Phase(p) == "Failed", "Failed by eviction", TimeSpan.FromSeconds(90));

        const string message = "Usage of EmptyDir volume \"scratch\" exceeds the limit \"1Mi\". ";
        Assert.Equal("Evicted", pod["status"]!["reason"]!.GetValue<string>());
        Assert.Equal(message, pod["status"]!["message"]!.GetValue<string>());
        var disruption = pod["status"]!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "DisruptionTarget")!;
        Assert.Equal(("True", "TerminationByKubelet"), (disruption["status"]!.GetValue<string>(), disruption["reason"]!.GetValue<string>()));
        Assert.NotNull(Node.Container(pod)!["state"]!["terminated"]);
        await Node.WaitAsync(async () => (await Kubectl.RunAsync(S, ["get", "events", "-n", ns, "-o", "jsonpath={range .items[*]}{.type} {.reason} {.message}{\"\\n\"}{end}"]))
            .Stdout.Contains($"Warning Evicted {message}"), Node.Patience, "the Evicted event", S);
    }

    [Fact]
    public async Task AContainerOverItsMemoryLimitIsOomKilled()
    {
        var ns = await f.NamespaceAsync("oom");
        await Node.ApplyAsync(S, ns, Node.PodYaml("hog", S.NodeName, "dd if=/dev/zero of=/dev/null bs=64M count=1", restartPolicy: "Never",
            extra: "    resources: {limits: {memory: 32Mi}}"));
        var pod = await Node.WaitForPodAsync(S, ns, "hog", p => Node.Phase(p) == "Failed", "Failed");
        var terminated = Node.Container(pod)!["state"]!["terminated"]!;
        Assert.Equal("OOMKilled", terminated["reason"]!.GetValue<string>());
        Assert.Equal(137, terminated["exitCode"]!.GetValue<int>());
    }
}

/// <summary>The host's cgroup files of a pod, in the v1 hierarchy of a controller or in the v2 one.</summary>
public static class PodCgroup
{
    public static bool V2 => File.Exists("/sys/fs/cgroup/cgroup.controllers");

    public static string Dir(string controller, string path) =>
        V2 ? "/sys/fs/cgroup" + path : $"/sys/fs/cgroup/{controller}{path}";

    public static string Read(string controller, string path, string file) => File.ReadAllText(Path.Combine(Dir(controller, path), file)).Trim();
}
