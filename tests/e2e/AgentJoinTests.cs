using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Skiff.E2E;

/// <summary>A control plane alone (no agent of its own), for agents that join it with its token.</summary>
public sealed class ControlPlaneFixture : IAsyncLifetime
{
    public SkiffServer Server { get; }

    public ControlPlaneFixture()
    {
        var cidr = $"10.{Random.Shared.Next(100, 250)}.0.0/16";
        Server = new SkiffServer { ExtraArgs = ["--cluster-cidr", cidr] };
    }

    public Task InitializeAsync() => Server.StartAsync();
    public async Task DisposeAsync() => await Server.DisposeAsync();

    public string Token => File.ReadAllText(Path.Combine(Server.DataDir, "server", "token")).Trim();
}

/// <summary><c>skiff agent</c>: joining a server with its token, and what the server refuses.</summary>
public sealed class AgentJoinTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    /// <summary>POST /v1-skiff/node as an agent does, with <paramref name="secret"/> (the token's password) as the basic credentials' password.</summary>
    public static async Task<(HttpStatusCode Code, JsonNode? Body)> PostJoinAsync(ApiClient api, string body, string? secret)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, "/v1-skiff/node") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (secret is not null) req.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("node:" + secret)));
        using var res = await api.Http.SendAsync(req);
        var text = await res.Content.ReadAsStringAsync();
        return (res.StatusCode, JsonNode.Parse(text));
    }

    private SkiffServer S => f.Server;

    [Fact]
    public async Task TheServerKeepsItsTokenInK3sFormAcrossRestarts()
    {
        Assert.Matches("^K10[0-9a-f]{64}::server:[0-9a-f]{32}$", f.Token);
        var file = new FileInfo(Path.Combine(S.DataDir, "server", "token"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, file.UnixFileMode);
        Assert.Equal("token", new FileInfo(Path.Combine(S.DataDir, "server", "node-token")).LinkTarget);

        // The hash is of the CA bundle exactly as /cacerts serves it, to anyone.
        using var anonymous = new ApiClient(S, clientCertificate: false);
        var ca = await (await anonymous.SendAsync(HttpMethod.Get, "/cacerts")).Content.ReadAsStringAsync();
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(ca)));
        Assert.StartsWith("K10" + hash + "::", f.Token);
    }

    [Fact]
    public async Task AnAgentJoinsWithTheTokenRegistersReadyAndRunsAScheduledPod()
    {
        await using var agent = new SkiffAgent(S);
        await agent.StartAndWaitReadyAsync();

        // A worker: no control-plane role, its own address, its kubelet API reachable through the API server.
        var node = JsonNode.Parse(await Kubectl.OkAsync(S, "get", "node", agent.NodeName, "-o", "json"))!;
        Assert.Null(node["metadata"]!["labels"]!["node-role.kubernetes.io/control-plane"]);
        Assert.NotNull(node["spec"]!["podCIDR"]);
        Assert.Contains(node["status"]!["addresses"]!.AsArray(), a => a!["type"]!.GetValue<string>() == "InternalIP");

        var ns = "join-" + Guid.NewGuid().ToString("N")[..6];
        await Kubectl.OkAsync(S, "create", "namespace", ns);
        await Kubectl.OkAsync(S, "run", "b", "-n", ns, "--image=busybox", "--", "sh", "-c", "echo hi; sleep 3600");
        var pod = await Node.WaitForPodAsync(S, ns, "b", p => Node.Phase(p) == "Running", "Running");
        Assert.Equal(agent.NodeName, pod["spec"]!["nodeName"]!.GetValue<string>());
        await Node.WaitAsync(async () => (await Kubectl.RunAsync(S, ["logs", "b", "-n", ns])).Stdout == "hi\n", Node.Patience, "logs to print hi", S);
        Assert.Equal(3, (await Kubectl.RunAsync(S, ["exec", "b", "-n", ns, "--", "sh", "-c", "exit 3"])).ExitCode);

        // The node's credentials are kept (keys private) with a kubeconfig that authenticates as the node.
        var tls = Path.Combine(agent.DataDir, "agent", "tls");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, new FileInfo(Path.Combine(tls, "client-kubelet.key")).UnixFileMode);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, new FileInfo(Path.Combine(agent.DataDir, "agent", "node-password")).UnixFileMode);
        var whoami = await Kubectl.OkAsync(S, "--kubeconfig", Path.Combine(agent.DataDir, "agent", "kubelet.kubeconfig"),
            "auth", "whoami", "-o", "jsonpath={.status.userInfo.username} {.status.userInfo.groups}");
        Assert.StartsWith($"system:node:{agent.NodeName} ", whoami);
        Assert.Contains("system:nodes", whoami);

        // The name is bound to this agent's node password.
        var secret = JsonNode.Parse(await Kubectl.OkAsync(S, "get", "secret", "-n", "kube-system", agent.NodeName + ".node-password.skiff", "-o", "json"))!;
        Assert.Equal("skiff.io/node-password", secret["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task AnAgentWithAForeignOrWrongTokenIsRefusedAndExits()
    {
        // A token made for another cluster: the CA hash does not match what the server serves.
        var names = new List<string>();
        await using (var foreign = new SkiffAgent(S) { Token = "K10" + new string('a', 64) + "::server:0123456789abcdef" })
        {
            names.Add(foreign.NodeName);
            foreign.Start();
            Assert.Equal(1, await foreign.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("does not match the token's hash", foreign.Log);
        }
        // The right CA, a wrong password.
        var wrong = f.Token[..f.Token.LastIndexOf(':')] + ":not-the-password";
        await using (var refused = new SkiffAgent(S) { Token = wrong })
        {
            names.Add(refused.NodeName);
            refused.Start();
            Assert.Equal(1, await refused.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("the server refused the token (401 Unauthorized)", refused.Log);
        }
        // Neither got to bind its name or register a node.
        var secrets = await Kubectl.OkAsync(S, "get", "secrets", "-n", "kube-system");
        var nodes = await Kubectl.OkAsync(S, "get", "nodes");
        foreach (var name in names)
        {
            Assert.DoesNotContain(name, secrets);
            Assert.DoesNotContain(name, nodes);
        }
    }

    [Theory]
    [InlineData("mirrors:\n  docker.io:\n    endpoint: [\"ftp://mirror\"]\n", "mirrors.\"docker.io\".endpoint: \"ftp://mirror\" is not an http or https URL")]
    [InlineData("configs:\n  docker.io: {}\n", "\"configs\" is not supported (only mirrors: is)")]
    [InlineData("mirrors:\n  docker.io:\n    endpoints: [\"http://m\"]\n", "mirrors.\"docker.io\" must have exactly an endpoint: list")]
    [InlineData("mirrors: [\n", "")]
    public async Task ARegistriesFileItCannotUseStopsTheAgentBeforeItJoins(string yaml, string message)
    {
        var dir = Directory.CreateTempSubdirectory("skiff-registries-");
        try
        {
            var file = Path.Combine(dir.FullName, "registries.yaml");
            await File.WriteAllTextAsync(file, yaml);
            var (exit, text) = await Processes.RunAsync(SkiffServer.Binary, ["agent", "--server", $"https://127.0.0.1:{S.Port}", "--token", f.Token,
                "--data-dir", Path.Combine(dir.FullName, "data"), "--private-registry", file, "--disable-default-registry-endpoint"], TimeSpan.FromSeconds(30));
            Assert.NotEqual(0, exit);
            Assert.Contains(file + ":", text);
            Assert.Contains(message, text);
            Assert.False(Directory.Exists(Path.Combine(dir.FullName, "data", "agent", "containerd")), "the agent got as far as containerd");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task TheJoinEndpointChecksTheTokenTheBodyAndTheNodePassword()
    {
        using var api = new ApiClient(S, clientCertificate: false);
        var password = f.Token[(f.Token.LastIndexOf(':') + 1)..];
        Task<(HttpStatusCode Code, JsonNode? Body)> Join(string body, string? secret) => PostJoinAsync(api, body, secret);
        var name = "join-" + Guid.NewGuid().ToString("N")[..6];
        string Body(string nodePassword, string ip = "127.0.0.1") => $$"""{"nodeName":"{{name}}","nodeIPs":["{{ip}}"],"nodePassword":"{{nodePassword}}"}""";

        var (code, status) = await Join(Body("p1"), null);
        Assert.Equal(HttpStatusCode.Unauthorized, code);
        Assert.Equal("Unauthorized", status!["reason"]!.GetValue<string>());
        (code, status) = await Join(Body("p1"), "wrong");
        Assert.Equal(HttpStatusCode.Unauthorized, code);

        (code, status) = await Join(Body("p1", ip: "not-an-ip"), password);
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Equal("nodeIPs", status!["details"]!["causes"]![0]!["field"]!.GetValue<string>());
        (code, status) = await Join("""{"nodeName":"UPPER","nodePassword":"x"}""", password);
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Equal("nodeName", status!["details"]!["causes"]![0]!["field"]!.GetValue<string>());

        // The first join binds the name; the same password joins again, another is refused.
        (code, var answer) = await Join(Body("p1"), password);
        Assert.Equal(HttpStatusCode.OK, code);
        using (var client = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(answer!["clientCertificate"]!.GetValue<string>()))
            Assert.Contains($"CN=system:node:{name}", client.Subject);
        using (var serving = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(answer["servingCertificate"]!.GetValue<string>()))
            Assert.Contains(serving.Extensions.OfType<System.Security.Cryptography.X509Certificates.X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames(), n => n == name);
        Assert.Equal(HttpStatusCode.OK, (await Join(Body("p1"), password)).Code);
        (code, status) = await Join(Body("p2"), password);
        Assert.Equal(HttpStatusCode.Forbidden, code);
        Assert.Contains("already joined with another node password", status!["message"]!.GetValue<string>());
    }
}
