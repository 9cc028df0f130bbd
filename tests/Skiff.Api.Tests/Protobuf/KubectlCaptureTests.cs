using System.Diagnostics;
using System.Text.Json.Nodes;
using Skiff.Api.Protobuf;

namespace Skiff.Api.Tests.Protobuf;

/// <summary>
/// The strongest check of the field tables: the real kubectl on this machine sends its typed create
/// requests to a loopback fake, and the protobuf bodies it wrote are decoded and compared with what the
/// command asked for. Skipped (returns early) only where no kubectl is installed.
/// </summary>
public sealed class KubectlCaptureTests : IDisposable
{
    private const string Kubectl = "/usr/bin/kubectl";
    private readonly FakeApiServer _server = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("skiff-kubectl-").FullName;

    public void Dispose()
    {
        _server.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private CapturedRequest Create(params string[] args) => Send(expectProtobuf: true, args);

    private CapturedRequest Send(bool expectProtobuf, params string[] args)
    {
        var kubeconfig = Path.Combine(_dir, "config");
        File.WriteAllText(kubeconfig, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: fake
              cluster:
                server: http://127.0.0.1:{_server.Port}
            contexts:
            - name: fake
              context:
                cluster: fake
                user: fake
                namespace: default
            current-context: fake
            users:
            - name: fake
              user: {"{}"}
            """);
        var start = new ProcessStartInfo(Kubectl)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Global flags first: anything after a command's "--" is the container's command line.
        start.ArgumentList.Add("--kubeconfig=" + kubeconfig);
        start.ArgumentList.Add("--cache-dir=" + Path.Combine(_dir, "cache"));
        start.ArgumentList.Add("--request-timeout=30s");
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["HOME"] = _dir;
        start.Environment.Remove("KUBECONFIG");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true); // leave nothing running behind a failed test
            Assert.Fail("kubectl did not finish within 60s");
        }
        var writes = _server.Writes.ToList();
        Assert.True(process.ExitCode == 0,
            $"kubectl {string.Join(' ', args)} exited {process.ExitCode}: {stderr.Result} {stdout.Result} " +
            $"reads: {string.Join(",", _server.Reads)} writes: {string.Join(",", writes.Select(w => w.Path + " " + w.Error))}");
        var write = Assert.Single(writes);
        if (expectProtobuf) Assert.StartsWith(KubernetesProtobuf.MediaType, write.ContentType);
        else Assert.DoesNotContain("protobuf", write.ContentType);
        Assert.True(write.Error is null, write.Error);
        return write;
    }

    private static bool HaveKubectl => File.Exists(Kubectl);

    [Fact]
    public void Create_configmap()
    {
        if (!HaveKubectl) return;
        var request = Create("create", "configmap", "settings", "--from-literal=a=1", "--from-literal=b=two");

        Assert.Equal("/api/v1/namespaces/default/configmaps", request.Path);
        var json = request.Decoded!;
        Assert.Equal("ConfigMap", (string?)json["kind"]);
        Assert.Equal("v1", (string?)json["apiVersion"]);
        Assert.Equal("settings", (string?)json["metadata"]!["name"]);
        Assert.Equal("""{"a":"1","b":"two"}""", json["data"]!.ToJsonString());
        Assert.Null(json["metadata"]!["creationTimestamp"]);
    }

    [Fact]
    public void Create_configmap_from_a_binary_file()
    {
        if (!HaveKubectl) return;
        var file = Path.Combine(_dir, "blob.bin");
        File.WriteAllBytes(file, [0xff, 0x00, 0xfe]);
        var json = Create("create", "configmap", "bin", "--from-file=blob.bin=" + file).Decoded!;

        Assert.Equal("/wD+", (string?)json["binaryData"]!["blob.bin"]);
    }

    [Fact]
    public void Create_secret_generic()
    {
        if (!HaveKubectl) return;
        var json = Create("create", "secret", "generic", "creds", "--from-literal=password=s3cr3t", "--type=Opaque").Decoded!;

        Assert.Equal("Secret", (string?)json["kind"]);
        Assert.Equal("czNjcjN0", (string?)json["data"]!["password"]);
        Assert.Equal("Opaque", (string?)json["type"]);
    }

    [Fact]
    public void Create_namespace()
    {
        if (!HaveKubectl) return;
        var request = Create("create", "namespace", "team-a");

        Assert.Equal("/api/v1/namespaces", request.Path);
        Assert.Equal("team-a", (string?)request.Decoded!["metadata"]!["name"]);
        Assert.Equal("Namespace", (string?)request.Decoded!["kind"]);
    }

    [Fact]
    public void Create_deployment()
    {
        if (!HaveKubectl) return;
        var request = Create("create", "deployment", "web", "--image=nginx", "--replicas=2", "--port=80");

        Assert.Equal("/apis/apps/v1/namespaces/default/deployments", request.Path);
        var json = request.Decoded!;
        Assert.Equal("apps/v1", (string?)json["apiVersion"]);
        Assert.Equal("web", (string?)json["metadata"]!["labels"]!["app"]);
        var spec = json["spec"]!;
        Assert.Equal(2, (int)spec["replicas"]!);
        Assert.Equal("web", (string?)spec["selector"]!["matchLabels"]!["app"]);
        Assert.Equal("web", (string?)spec["template"]!["metadata"]!["labels"]!["app"]);
        var container = spec["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("nginx", (string?)container["name"]);
        Assert.Equal("nginx", (string?)container["image"]);
        Assert.Equal(80, (int)container["ports"]![0]!["containerPort"]!);
        Assert.Equal("{}", json["status"]!.ToJsonString());
    }

    [Fact]
    public void Create_deployment_with_zero_replicas_keeps_the_zero()
    {
        if (!HaveKubectl) return;
        var json = Create("create", "deployment", "idle", "--image=nginx", "--replicas=0").Decoded!;

        Assert.Equal(0, (int)json["spec"]!["replicas"]!);
    }

    [Fact]
    public void Create_job()
    {
        if (!HaveKubectl) return;
        var request = Create("create", "job", "once", "--image=busybox", "--", "echo", "hi");

        Assert.Equal("/apis/batch/v1/namespaces/default/jobs", request.Path);
        var pod = request.Decoded!["spec"]!["template"]!["spec"]!;
        Assert.Equal("Never", (string?)pod["restartPolicy"]);
        Assert.Equal("""["echo","hi"]""", pod["containers"]![0]!["command"]!.ToJsonString());
        Assert.Equal("busybox", (string?)pod["containers"]![0]!["image"]);
    }

    [Fact]
    public void Create_cronjob()
    {
        if (!HaveKubectl) return;
        var request = Create("create", "cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *", "--", "date");

        Assert.Equal("/apis/batch/v1/namespaces/default/cronjobs", request.Path);
        var spec = request.Decoded!["spec"]!;
        Assert.Equal("*/5 * * * *", (string?)spec["schedule"]);
        var pod = spec["jobTemplate"]!["spec"]!["template"]!["spec"]!;
        Assert.Equal("OnFailure", (string?)pod["restartPolicy"]);
        Assert.Equal("""["date"]""", pod["containers"]![0]!["command"]!.ToJsonString());
        Assert.Equal("tick", (string?)spec["jobTemplate"]!["metadata"]!["name"]);
    }

    [Fact]
    public void Create_service_clusterip()
    {
        if (!HaveKubectl) return;
        var request = Create("create", "service", "clusterip", "web", "--tcp=80:8080");

        var port = request.Decoded!["spec"]!["ports"]![0]!;
        Assert.Equal(80, (int)port["port"]!);
        Assert.Equal(8080, (int)port["targetPort"]!);
        Assert.Equal("TCP", (string?)port["protocol"]);
        Assert.Equal("80-8080", (string?)port["name"]);
        Assert.Equal("web", (string?)request.Decoded!["spec"]!["selector"]!["app"]);
        Assert.Equal("ClusterIP", (string?)request.Decoded!["spec"]!["type"]);
    }

    [Fact]
    public void Create_serviceaccount_role_and_rolebinding()
    {
        if (!HaveKubectl) return;
        Assert.Equal("robot", (string?)Create("create", "serviceaccount", "robot").Decoded!["metadata"]!["name"]);
        _server.Writes.Clear();
        var role = Create("create", "role", "reader", "--verb=get,list", "--resource=pods", "--resource-name=web-0").Decoded!;
        Assert.Equal("""["web-0"]""", role["rules"]![0]!["resourceNames"]!.ToJsonString());
        Assert.Equal("""["get","list"]""", role["rules"]![0]!["verbs"]!.ToJsonString());
        Assert.Equal("""["pods"]""", role["rules"]![0]!["resources"]!.ToJsonString());
        Assert.Equal("""[""]""", role["rules"]![0]!["apiGroups"]!.ToJsonString());
        _server.Writes.Clear();
        var binding = Create("create", "rolebinding", "read", "--role=reader", "--serviceaccount=default:robot").Decoded!;
        Assert.Equal("Role", (string?)binding["roleRef"]!["kind"]);
        Assert.Equal("rbac.authorization.k8s.io", (string?)binding["roleRef"]!["apiGroup"]);
        Assert.Equal("ServiceAccount", (string?)binding["subjects"]![0]!["kind"]);
        Assert.Equal("robot", (string?)binding["subjects"]![0]!["name"]);
        Assert.Equal("default", (string?)binding["subjects"]![0]!["namespace"]);
    }

    [Fact]
    public void Create_clusterrole_and_clusterrolebinding()
    {
        if (!HaveKubectl) return;
        var role = Create("create", "clusterrole", "node-reader", "--verb=get", "--resource=nodes", "--non-resource-url=/healthz").Decoded!;
        Assert.Equal("ClusterRole", (string?)role["kind"]);
        Assert.Contains(role["rules"]!.AsArray(), r => r!["nonResourceURLs"]?.ToJsonString() == """["/healthz"]""");
        _server.Writes.Clear();
        var binding = Create("create", "clusterrolebinding", "ops", "--clusterrole=node-reader", "--user=alice", "--group=ops").Decoded!;
        Assert.Equal("node-reader", (string?)binding["roleRef"]!["name"]);
        Assert.Equal(2, binding["subjects"]!.AsArray().Count);
    }

    [Fact]
    public void Create_quota_priorityclass_and_pdb()
    {
        if (!HaveKubectl) return;
        var quota = Create("create", "quota", "q", "--hard=cpu=2,memory=1Gi,pods=10").Decoded!;
        Assert.Equal("2", (string?)quota["spec"]!["hard"]!["cpu"]);
        Assert.Equal("1Gi", (string?)quota["spec"]!["hard"]!["memory"]);
        _server.Writes.Clear();
        var pc = Create("create", "priorityclass", "high", "--value=1000", "--description=important", "--preemption-policy=Never", "--global-default").Decoded!;
        Assert.True((bool)pc["globalDefault"]!);
        Assert.Equal(1000, (int)pc["value"]!);
        Assert.Equal("important", (string?)pc["description"]);
        Assert.Equal("Never", (string?)pc["preemptionPolicy"]);
        _server.Writes.Clear();
        var pdb = Create("create", "poddisruptionbudget", "pdb", "--selector=app=web", "--min-available=50%").Decoded!;
        Assert.Equal("50%", (string?)pdb["spec"]!["minAvailable"]);
        Assert.Equal("web", (string?)pdb["spec"]!["selector"]!["matchLabels"]!["app"]);
    }

    [Fact]
    public void Create_ingress()
    {
        if (!HaveKubectl) return;
        var json = Create("create", "ingress", "site", "--class=default", "--rule=foo.com/bar*=svc:8080,tls=cert").Decoded!;

        var spec = json["spec"]!;
        Assert.Equal("default", (string?)spec["ingressClassName"]);
        var rule = spec["rules"]![0]!;
        Assert.Equal("foo.com", (string?)rule["host"]);
        var path = rule["http"]!["paths"]![0]!;
        Assert.Equal("/bar", (string?)path["path"]);
        Assert.Equal("Prefix", (string?)path["pathType"]);
        Assert.Equal("svc", (string?)path["backend"]!["service"]!["name"]);
        Assert.Equal(8080, (int)path["backend"]!["service"]!["port"]!["number"]!);
        Assert.Equal("cert", (string?)spec["tls"]![0]!["secretName"]);
    }

    /// <summary>kubectl run builds an unstructured object, so it sends JSON: the server must keep taking both.</summary>
    [Fact]
    public void Run_pod_is_sent_as_json()
    {
        if (!HaveKubectl) return;
        var request = Send(false, "run", "shell", "--image=busybox", "--restart=Never", "--env=MODE=test", "--labels=tier=debug", "--", "sleep", "60");

        Assert.Equal("/api/v1/namespaces/default/pods", request.Path);
        var json = request.Decoded!;
        Assert.Equal("debug", (string?)json["metadata"]!["labels"]!["tier"]);
        var container = json["spec"]!["containers"]![0]!;
        Assert.Equal("shell", (string?)container["name"]);
        Assert.Equal("""["sleep","60"]""", container["args"]!.ToJsonString()); // without --command these are args
        Assert.Equal("MODE", (string?)container["env"]![0]!["name"]);
        Assert.Equal("test", (string?)container["env"]![0]!["value"]);
        Assert.Equal("Never", (string?)json["spec"]!["restartPolicy"]);
    }

    /// <summary>kubectl expose, like run, builds its Service unstructured and sends JSON.</summary>
    [Fact]
    public void Expose_deployment_is_sent_as_json()
    {
        if (!HaveKubectl) return;
        Create("create", "deployment", "web", "--image=nginx", "--port=80");
        _server.Writes.Clear();
        var request = Send(false, "expose", "deployment", "web", "--port=8080", "--target-port=80", "--type=NodePort");

        Assert.Equal("/api/v1/namespaces/default/services", request.Path);
        var spec = request.Decoded!["spec"]!;
        Assert.Equal("NodePort", (string?)spec["type"]);
        Assert.Equal(8080, (int)spec["ports"]![0]!["port"]!);
        Assert.Equal(80, (int)spec["ports"]![0]!["targetPort"]!);
        Assert.Equal("web", (string?)spec["selector"]!["app"]);
    }

    [Fact]
    public void Create_token()
    {
        if (!HaveKubectl) return;
        var request = Create("create", "token", "robot", "--audience=api", "--duration=10m");

        Assert.Equal("/api/v1/namespaces/default/serviceaccounts/robot/token", request.Path);
        var json = request.Decoded!;
        Assert.Equal("TokenRequest", (string?)json["kind"]);
        Assert.Equal("authentication.k8s.io/v1", (string?)json["apiVersion"]);
        Assert.Equal("""["api"]""", json["spec"]!["audiences"]!.ToJsonString());
        Assert.Equal(600, (long)json["spec"]!["expirationSeconds"]!);
    }

    [Fact]
    public void Autoscale_deployment()
    {
        if (!HaveKubectl) return;
        Create("create", "deployment", "web", "--image=nginx");
        _server.Writes.Clear();
        var json = Create("autoscale", "deployment", "web", "--min=2", "--max=5", "--cpu-percent=60").Decoded!;

        Assert.Equal("HorizontalPodAutoscaler", (string?)json["kind"]);
        var spec = json["spec"]!;
        Assert.Equal(2, (int)spec["minReplicas"]!);
        Assert.Equal(5, (int)spec["maxReplicas"]!);
        Assert.Equal("Deployment", (string?)spec["scaleTargetRef"]!["kind"]);
        Assert.Equal("web", (string?)spec["scaleTargetRef"]!["name"]);
        var cpu = (string?)json["apiVersion"] == "autoscaling/v1"
            ? (int?)spec["targetCPUUtilizationPercentage"]
            : (int?)spec["metrics"]![0]!["resource"]!["target"]!["averageUtilization"];
        Assert.Equal(60, cpu);
    }

    [Fact]
    public void Create_secret_docker_registry_and_tls()
    {
        if (!HaveKubectl) return;
        var docker = Create("create", "secret", "docker-registry", "pull", "--docker-server=registry.local",
            "--docker-username=u", "--docker-password=p").Decoded!;
        Assert.Equal("kubernetes.io/dockerconfigjson", (string?)docker["type"]);
        var config = Convert.FromBase64String((string)docker["data"]![".dockerconfigjson"]!);
        Assert.Contains("registry.local", System.Text.Encoding.UTF8.GetString(config));
        _server.Writes.Clear();
        var cert = Path.Combine(_dir, "tls.crt");
        var key = Path.Combine(_dir, "tls.key");
        WriteSelfSignedPair(cert, key);
        var tls = Create("create", "secret", "tls", "site-tls", "--cert=" + cert, "--key=" + key).Decoded!;
        Assert.Equal("kubernetes.io/tls", (string?)tls["type"]);
        Assert.Equal(File.ReadAllBytes(cert), Convert.FromBase64String((string)tls["data"]!["tls.crt"]!));
    }

    private static void WriteSelfSignedPair(string certPath, string keyPath)
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
            "CN=site.local", rsa, System.Security.Cryptography.HashAlgorithmName.SHA256,
            System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllText(certPath, cert.ExportCertificatePem());
        File.WriteAllText(keyPath, rsa.ExportPkcs8PrivateKeyPem());
    }

    [Fact]
    public void Create_services_of_each_type()
    {
        if (!HaveKubectl) return;
        var nodePort = Create("create", "service", "nodeport", "np", "--tcp=80:8080", "--node-port=30080").Decoded!;
        Assert.Equal("NodePort", (string?)nodePort["spec"]!["type"]);
        Assert.Equal(30080, (int)nodePort["spec"]!["ports"]![0]!["nodePort"]!);
        _server.Writes.Clear();
        var external = Create("create", "service", "externalname", "ext", "--external-name=db.example.com").Decoded!;
        Assert.Equal("ExternalName", (string?)external["spec"]!["type"]);
        Assert.Equal("db.example.com", (string?)external["spec"]!["externalName"]);
        _server.Writes.Clear();
        var headless = Create("create", "service", "clusterip", "hl", "--clusterip=None").Decoded!;
        Assert.Equal("None", (string?)headless["spec"]!["clusterIP"]);
        _server.Writes.Clear();
        var lb = Create("create", "service", "loadbalancer", "lb", "--tcp=443").Decoded!;
        Assert.Equal("LoadBalancer", (string?)lb["spec"]!["type"]);
        Assert.Equal(443, (int)lb["spec"]!["ports"]![0]!["targetPort"]!);
    }

    [Fact]
    public void Pointer_zeros_survive_and_aggregation_rules_decode()
    {
        if (!HaveKubectl) return;
        var pdb = Create("create", "pdb", "strict", "--selector=app=db", "--max-unavailable=0").Decoded!;
        Assert.Equal(0, (int)pdb["spec"]!["maxUnavailable"]!);
        Assert.False(pdb["spec"]!.AsObject().ContainsKey("minAvailable"));
        _server.Writes.Clear();
        var role = Create("create", "clusterrole", "monitoring", "--aggregation-rule=rbac.example.com/aggregate-to-monitoring=true").Decoded!;
        var selector = role["aggregationRule"]!["clusterRoleSelectors"]![0]!;
        Assert.Equal("true", (string?)selector["matchLabels"]!["rbac.example.com/aggregate-to-monitoring"]);
        _server.Writes.Clear();
        var quota = Create("create", "quota", "best", "--hard=pods=0", "--scopes=BestEffort").Decoded!;
        Assert.Equal("0", (string?)quota["spec"]!["hard"]!["pods"]);
        Assert.Equal("""["BestEffort"]""", quota["spec"]!["scopes"]!.ToJsonString());
    }

    [Fact]
    public void Create_job_from_a_cronjob()
    {
        if (!HaveKubectl) return;
        Create("create", "cronjob", "nightly", "--image=busybox", "--schedule=0 3 * * *", "--", "true");
        _server.Writes.Clear();
        var json = Create("create", "job", "manual", "--from=cronjob/nightly").Decoded!;

        Assert.Equal("Job", (string?)json["kind"]);
        Assert.Equal("manual", (string?)json["metadata"]!["name"]);
        Assert.Equal("cronjob.kubernetes.io/instantiate", json["metadata"]!["annotations"]!.AsObject().Single().Key);
        var owner = json["metadata"]!["ownerReferences"]![0]!;
        Assert.Equal("CronJob", (string?)owner["kind"]);
        Assert.Equal("nightly", (string?)owner["name"]);
        Assert.True((bool)owner["controller"]!);
        Assert.Equal("busybox", (string?)json["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
    }

    [Fact]
    public void Auth_can_i_and_whoami()
    {
        if (!HaveKubectl) return;
        var review = Create("auth", "can-i", "get", "pods", "--subresource=log", "-n", "prod");
        Assert.Equal("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review.Path);
        var attributes = review.Decoded!["spec"]!["resourceAttributes"]!;
        Assert.Equal("prod", (string?)attributes["namespace"]);
        Assert.Equal("get", (string?)attributes["verb"]);
        Assert.Equal("pods", (string?)attributes["resource"]);
        Assert.Equal("log", (string?)attributes["subresource"]);
        _server.Writes.Clear();
        var nonResource = Create("auth", "can-i", "get", "/healthz").Decoded!["spec"]!["nonResourceAttributes"]!;
        Assert.Equal("/healthz", (string?)nonResource["path"]);
        Assert.Equal("get", (string?)nonResource["verb"]);
        _server.Writes.Clear();
        var rules = Create("auth", "can-i", "--list", "-n", "prod").Decoded!;
        Assert.Equal("SelfSubjectRulesReview", (string?)rules["kind"]);
        Assert.Equal("prod", (string?)rules["spec"]!["namespace"]);
        _server.Writes.Clear();
        var whoami = Create("auth", "whoami").Decoded!;
        Assert.Equal("SelfSubjectReview", (string?)whoami["kind"]);
    }

    [Fact]
    public void Certificate_approve_sends_the_csr_with_its_condition()
    {
        if (!HaveKubectl) return;
        var csrFile = Path.Combine(_dir, "csr.json");
        File.WriteAllText(csrFile, """
            {"apiVersion":"certificates.k8s.io/v1","kind":"CertificateSigningRequest","metadata":{"name":"node-csr"},
             "spec":{"request":"LS0tLS1CRUdJTg==","signerName":"kubernetes.io/kube-apiserver-client","usages":["client auth"],
                     "extra":{"scopes":["a","b"]}}}
            """);
        Send(false, "create", "--validate=false", "-f", csrFile);
        _server.Writes.Clear();
        var request = Create("certificate", "approve", "node-csr");

        Assert.Equal("/apis/certificates.k8s.io/v1/certificatesigningrequests/node-csr/approval", request.Path);
        var json = request.Decoded!;
        Assert.Equal("LS0tLS1CRUdJTg==", (string?)json["spec"]!["request"]);
        Assert.Equal("""["client auth"]""", json["spec"]!["usages"]!.ToJsonString());
        Assert.Equal("""{"scopes":["a","b"]}""", json["spec"]!["extra"]!.ToJsonString());
        var condition = json["status"]!["conditions"]![0]!;
        Assert.Equal("Approved", (string?)condition["type"]);
        Assert.Equal("True", (string?)condition["status"]);
        Assert.NotNull((string?)condition["lastUpdateTime"]);
    }

    [Fact]
    public void Debug_node_creates_a_host_pod()
    {
        if (!HaveKubectl) return;
        var nodeFile = Path.Combine(_dir, "node.json");
        File.WriteAllText(nodeFile, """{"apiVersion":"v1","kind":"Node","metadata":{"name":"worker-1"}}""");
        Send(false, "create", "--validate=false", "-f", nodeFile);
        _server.Writes.Clear();
        var request = Create("debug", "node/worker-1", "--image=busybox", "--profile=sysadmin", "--attach=false", "--", "true");

        Assert.Equal("/api/v1/namespaces/default/pods", request.Path);
        var spec = request.Decoded!["spec"]!;
        Assert.Equal("worker-1", (string?)spec["nodeName"]);
        Assert.True((bool)spec["hostPID"]!);
        Assert.True((bool)spec["hostNetwork"]!);
        Assert.Equal("Never", (string?)spec["restartPolicy"]);
        var volume = spec["volumes"]!.AsArray().Single(v => v!["hostPath"] is not null)!;
        Assert.Equal("/", (string?)volume["hostPath"]!["path"]);
        var container = spec["containers"]![0]!;
        Assert.Equal("/host", (string?)container["volumeMounts"]![0]!["mountPath"]);
        Assert.True((bool)container["securityContext"]!["privileged"]!);
        Assert.Equal("Exists", (string?)spec["tolerations"]![0]!["operator"]);
    }

    [Fact]
    public void Create_token_bound_to_a_pod()
    {
        if (!HaveKubectl) return;
        var json = Create("create", "token", "robot", "--bound-object-kind=Pod", "--bound-object-name=web-0",
            "--bound-object-uid=1234").Decoded!;

        var bound = json["spec"]!["boundObjectRef"]!;
        Assert.Equal("Pod", (string?)bound["kind"]);
        Assert.Equal("v1", (string?)bound["apiVersion"]);
        Assert.Equal("web-0", (string?)bound["name"]);
        Assert.Equal("1234", (string?)bound["uid"]);
    }
}
