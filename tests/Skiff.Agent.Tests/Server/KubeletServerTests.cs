using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Skiff.Agent.Cri.V1;
using Skiff.Agent.Server;
using Skiff.Streaming;
using Skiff.Streaming.Spdy;
using Skiff.Agent.Tests.Containerd;
using Skiff.Agent.Tests.Support;
using Xunit.Abstractions;

namespace Skiff.Agent.Tests.Server;

/// <summary>
/// The kubelet API against real containerd: a busybox pod laid out as the kubelet lays pods out
/// (&lt;pods&gt;/&lt;ns&gt;_&lt;name&gt;_&lt;uid&gt;/&lt;container&gt;/&lt;restart&gt;.log), reached through HTTPS with client certificates.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class KubeletServerTests(NodeFixture node, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TestPki _pki = new();
    private KubeletServer? _server;
    private string _sandboxId = "";
    private const string Ns = "shop";
    private const string PodName = "web";

    public async Task InitializeAsync()
    {
        if (!new RootFactAttribute().Skip.IsNullOrEmpty()) return;
        await Eventually.WaitAsync(async () => (await node.Runtime.StatusAsync()).Status.Conditions.All(c => c.Status), Patience, "NetworkReady");
        var uid = Guid.NewGuid().ToString();
        var logDir = Path.Combine(node.Root, "agent", "pods", $"{Ns}_{PodName}_{uid}");
        Directory.CreateDirectory(logDir);
        var sandbox = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = PodName, Namespace = Ns, Uid = uid },
            Hostname = PodName,
            LogDirectory = logDir,
            Linux = new LinuxPodSandboxConfig { SecurityContext = new LinuxSandboxSecurityContext { NamespaceOptions = new NamespaceOption() } },
        };
        _sandboxId = await node.Runtime.RunPodSandboxAsync(sandbox);
        // stdout and stderr reach the log through separate pipes, so the pause before the stderr line is what
        // makes the order in the log file (which the assertions read) the order the script wrote.
        await StartContainer(sandbox, "main", "for i in 1 2 3 4 5; do echo line $i; done; sleep 1; echo oops >&2; sleep 3; echo late; exec sleep 3600");
        await StartContainer(sandbox, "web", "mkdir -p /www && echo hello-through-port-forward > /www/index.html && exec httpd -f -p 8080 -h /www");

        _server = await KubeletServer.StartAsync(new KubeletServerOptions
        {
            BindAddress = IPAddress.Loopback,
            Port = 0,
            ServingCertificate = _pki.Serving(),
            ClientCaPem = _pki.ClientCaPem,
        }, node.Runtime, new TestLoggerFactory(output), CancellationToken.None);
    }

    private async Task StartContainer(PodSandboxConfig sandbox, string name, string script)
    {
        var config = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = name },
            Image = new ImageSpec { Image = "busybox" },
            Command = { "sh", "-c", script },
            LogPath = $"{name}/0.log",
        };
        var id = await node.Runtime.CreateContainerAsync(_sandboxId, config, sandbox);
        await node.Runtime.StartContainerAsync(id);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        if (_sandboxId.Length > 0)
        {
            await node.Runtime.StopPodSandboxAsync(_sandboxId);
            await node.Runtime.RemovePodSandboxAsync(_sandboxId);
        }
    }

    private Uri Url(string pathAndQuery, string scheme = "https") => new($"{scheme}://127.0.0.1:{_server!.Port}{pathAndQuery}");

    private HttpClient Http(X509Certificate2? client)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && ChainsTo(cert, _pki.ServerCa);
        if (client is not null) handler.SslOptions.ClientCertificates = new X509CertificateCollection { client };
        return new HttpClient(handler) { Timeout = Patience };
    }

    private static bool ChainsTo(X509Certificate cert, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(X509CertificateLoader.LoadCertificate(cert.GetRawCertData()));
    }

    private async Task<(WebSocket Socket, string? Protocol)> ConnectAsync(string pathAndQuery, params string[] protocols)
    {
        var tls = new System.Net.Security.SslClientAuthenticationOptions
        {
            ClientCertificates = new X509CertificateCollection { _pki.Client("system:kube-apiserver") },
            RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && ChainsTo(cert, _pki.ServerCa),
        };
        var (socket, protocol, response) = await WebSocketHandshake.ConnectAsync(Url(pathAndQuery, "wss"), protocols, [], tls, CancellationToken.None);
        Assert.True(socket is not null, $"{response.StatusCode}: {Encoding.UTF8.GetString(response.Body)}");
        return (socket, protocol);
    }

    [RootFact]
    public async Task Only_the_api_server_certificate_gets_in()
    {
        using var anonymous = Http(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(Url("/healthz"))).StatusCode);
        using var stranger = Http(_pki.Client("system:kube-apiserver", _pki.ServerCa));
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync(Url("/healthz"))).StatusCode);
        using var admin = Http(_pki.Client("system:admin"));
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync(Url("/healthz"))).StatusCode);
        using var apiServer = Http(_pki.Client("system:kube-apiserver"));
        Assert.Equal("ok", await apiServer.GetStringAsync(Url("/healthz")));

        var running = JsonDocument.Parse(await apiServer.GetStringAsync(Url("/runningpods/")));
        var pod = running.RootElement.GetProperty("items").EnumerateArray().Single(p => p.GetProperty("metadata").GetProperty("name").GetString() == PodName);
        Assert.Equal(2, pod.GetProperty("spec").GetProperty("containers").GetArrayLength());
        Assert.Equal("PodList", JsonDocument.Parse(await apiServer.GetStringAsync(Url("/pods"))).RootElement.GetProperty("kind").GetString());
    }

    [RootFact]
    public async Task Container_logs_honour_tail_timestamps_limit_and_follow()
    {
        using var http = Http(_pki.Client("system:kube-apiserver"));
        var all = await Eventually.WaitAsync(async () =>
        {
            var text = await http.GetStringAsync(Url($"/containerLogs/{Ns}/{PodName}/main"));
            return text.Contains("oops") ? text : null;
        }, Patience, "the first log lines");
        Assert.StartsWith("line 1\nline 2\nline 3\nline 4\nline 5\noops\n", all);

        Assert.Equal("line 5\noops\n", await http.GetStringAsync(Url($"/containerLogs/{Ns}/{PodName}/main?tailLines=2")));
        Assert.Equal("line 1\nli", await http.GetStringAsync(Url($"/containerLogs/{Ns}/{PodName}/main?limitBytes=9")));
        var stamped = await http.GetStringAsync(Url($"/containerLogs/{Ns}/{PodName}/main?timestamps=true&tailLines=1"));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(Z|[+-]\d\d:\d\d) (oops|late)\n$", stamped);
        Assert.Equal("", await http.GetStringAsync(Url($"/containerLogs/{Ns}/{PodName}/main?sinceTime={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(5).ToString("O"))}")));

        // Follow: the stream stays open and delivers the line written three seconds after start.
        using var cts = new CancellationTokenSource(Patience);
        using var response = await http.GetAsync(Url($"/containerLogs/{Ns}/{PodName}/main?follow=true"), HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        string? line;
        while ((line = await reader.ReadLineAsync(cts.Token)) != "late") Assert.NotNull(line);

        var missing = await http.GetAsync(Url($"/containerLogs/{Ns}/{PodName}/main?previous=true"));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("previous terminated container", await missing.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(Url($"/containerLogs/{Ns}/{PodName}/nope"))).StatusCode);
    }

    [RootFact]
    public async Task Exec_over_websocket_v5_carries_stdin_eof_output_and_the_exit_code()
    {
        var command = string.Join("&", new[] { "sh", "-c", "cat; echo to-stderr >&2; exit 3" }.Select(c => "command=" + Uri.EscapeDataString(c)));
        var (socket, protocol) = await ConnectAsync($"/exec/{Ns}/{PodName}/main?{command}&stdin=true&stdout=true&stderr=true", StreamProtocols.V5Channel);
        using var _ = socket;
        Assert.Equal(StreamProtocols.V5Channel, protocol);

        await socket.SendAsync(new byte[] { 0, (byte)'h', (byte)'i', (byte)'\n' }, WebSocketMessageType.Binary, true, CancellationToken.None);
        await socket.SendAsync(new byte[] { 255, 0 }, WebSocketMessageType.Binary, true, CancellationToken.None);

        var channels = await ReadChannelsAsync(socket);
        Assert.Equal("hi\n", channels.GetValueOrDefault((byte)1));
        Assert.Equal("to-stderr\n", channels.GetValueOrDefault((byte)2));
        var status = JsonDocument.Parse(channels[3]).RootElement;
        output.WriteLine(channels[3]);
        Assert.Equal("Failure", status.GetProperty("status").GetString());
        Assert.Equal("NonZeroExitCode", status.GetProperty("reason").GetString());
        var cause = status.GetProperty("details").GetProperty("causes")[0];
        Assert.Equal("ExitCode", cause.GetProperty("reason").GetString());
        Assert.Equal("3", cause.GetProperty("message").GetString());
    }

    [RootFact]
    public async Task Exec_over_websocket_v4_with_a_tty_succeeds()
    {
        var command = string.Join("&", new[] { "sh", "-c", "stty size; echo done" }.Select(c => "command=" + Uri.EscapeDataString(c)));
        var (socket, protocol) = await ConnectAsync($"/exec/{Ns}/{PodName}/main?{command}&stdin=true&stdout=true&tty=true", StreamProtocols.V4Channel);
        using var _ = socket;
        Assert.Equal(StreamProtocols.V4Channel, protocol);
        await socket.SendAsync(Encoding.ASCII.GetBytes("\u0004{\"Width\":100,\"Height\":30}"), WebSocketMessageType.Binary, true, CancellationToken.None);

        var channels = await ReadChannelsAsync(socket);
        Assert.Contains("done", channels.GetValueOrDefault((byte)1));
        Assert.Equal("Success", JsonDocument.Parse(channels[3]).RootElement.GetProperty("status").GetString());
    }

    [RootFact]
    public async Task Port_forward_tunnels_kubectl_spdy_in_websocket_to_the_pod()
    {
        var (socket, protocol) = await ConnectAsync($"/portForward/{Ns}/{PodName}", StreamProtocols.SpdyTunnelPrefix + StreamProtocols.PortForward);
        using var _ = socket;
        Assert.Equal("SPDY/3.1+portforward.k8s.io", protocol);
        await using var spdy = new SpdyClientConnection(new WebSocketStream(socket));
        using var cts = new CancellationTokenSource(Patience);
        var reading = spdy.RunAsync(cts.Token);

        // httpd may still be starting: each attempt is a new error+data stream pair, as kubectl opens one per connection.
        var attempt = 0;
        var response = await Eventually.WaitAsync(async () =>
        {
            var id = (attempt++).ToString();
            await spdy.OpenStreamAsync([new("streamType", "error"), new("port", "8080"), new("requestID", id)], cts.Token);
            var data = await spdy.OpenStreamAsync([new("streamType", "data"), new("port", "8080"), new("requestID", id)], cts.Token);
            await data.WaitRepliedAsync(cts.Token);
            await data.WriteAsync(Encoding.ASCII.GetBytes("GET /index.html HTTP/1.0\r\n\r\n"), cts.Token);
            var all = new MemoryStream();
            await foreach (var chunk in data.ReadAllAsync(cts.Token)) all.Write(chunk.Span);
            var text = Encoding.ASCII.GetString(all.ToArray());
            return text.Length > 0 ? text : null;
        }, Patience, "an HTTP answer through the tunnel");
        output.WriteLine(response);
        Assert.Matches(@"^HTTP/1\.[01] 200", response);
        Assert.Contains("hello-through-port-forward", response);
        cts.Cancel();
        try { await reading; } catch (OperationCanceledException) { }
    }

    /// <summary>Reads channel messages until the server closes; returns each channel's bytes as text.</summary>
    private static async Task<Dictionary<byte, string>> ReadChannelsAsync(WebSocket socket)
    {
        using var cts = new CancellationTokenSource(Patience);
        var result = new Dictionary<byte, StringBuilder>();
        await foreach (var message in WebSocketMessages.ReadAsync(socket, cts.Token))
        {
            if (message.Length == 0) continue;
            var sb = result.TryGetValue(message.Span[0], out var existing) ? existing : result[message.Span[0]] = new StringBuilder();
            sb.Append(Encoding.UTF8.GetString(message.Span[1..]));
        }
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
        return result.ToDictionary(p => p.Key, p => p.Value.ToString());
    }
}
