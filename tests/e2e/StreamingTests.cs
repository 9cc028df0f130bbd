using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Skiff.E2E;

/// <summary>kubectl logs, exec, attach, port-forward and proxies against a real node: the paths kubectl 1.32 takes
/// (WebSocket v5 for exec/attach, SPDY tunnelled in WebSocket for port-forward).</summary>
public sealed class StreamingTests(AgentServerFixture f) : IClassFixture<AgentServerFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private async Task<string> RunPodAsync(string ns, string name, string script)
    {
        // Bound to the agent's node directly, so these tests do not depend on the scheduler.
        await Kubectl.OkAsync(f.Server, "run", name, "-n", ns, "--image=busybox", "--restart=Never",
            "--overrides={\"spec\":{\"nodeName\":\"" + f.Server.NodeName + "\"}}", "--command", "--", "sh", "-c", script);
        await Kubectl.OkAsync(f.Server, "wait", "-n", ns, "--for=condition=Ready", $"pod/{name}", "--timeout=120s");
        return name;
    }

    [Fact]
    public async Task Logs_tail_timestamps_and_follow()
    {
        var ns = await f.NamespaceAsync("logs");
        await RunPodAsync(ns, "talker", "for i in 1 2 3; do echo line $i; done; sleep 2; echo late; exec sleep 3600");

        var all = await Kubectl.OkAsync(f.Server, "logs", "-n", ns, "talker");
        Assert.StartsWith("line 1\nline 2\nline 3\n", all);
        Assert.Single((await Kubectl.OkAsync(f.Server, "logs", "-n", ns, "talker", "--tail=1")).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\S+ line 1\n", await Kubectl.OkAsync(f.Server, "logs", "-n", ns, "talker", "--timestamps"));
        Assert.Equal("line", await Kubectl.OkAsync(f.Server, "logs", "-n", ns, "talker", "--limit-bytes=4"));

        // -f keeps streaming until we stop it; "late" arrives two seconds after start.
        var follow = await Kubectl.RunAsync(f.Server, ["logs", "-n", ns, "talker", "-f", "--request-timeout=0"], timeout: TimeSpan.FromSeconds(8));
        Assert.Contains("late", follow.Stdout);

        var noContainer = await Kubectl.RunAsync(f.Server, ["logs", "-n", ns, "talker", "-c", "nope"]);
        Assert.Contains("container nope is not valid for pod talker", noContainer.Stderr);
    }

    [Fact]
    public async Task Exec_passes_stdin_output_and_the_exit_code()
    {
        var ns = await f.NamespaceAsync("exec");
        await RunPodAsync(ns, "shell", "exec sleep 3600");

        Assert.Equal("hello\n", await Kubectl.OkWithInputAsync(f.Server, "hello\n", "exec", "-i", "-n", ns, "shell", "--", "cat"));
        var failing = await Kubectl.RunAsync(f.Server, ["exec", "-n", ns, "shell", "--", "sh", "-c", "echo to-stderr >&2; exit 3"]);
        Assert.Equal(3, failing.ExitCode);
        Assert.Contains("to-stderr", failing.Stderr);
        Assert.Contains("shell", (await Kubectl.OkAsync(f.Server, "exec", "-n", ns, "shell", "--", "hostname")));
    }

    [Fact]
    public async Task Port_forward_reaches_a_port_inside_the_pod()
    {
        var ns = await f.NamespaceAsync("pf");
        await RunPodAsync(ns, "web", "mkdir -p /www && echo hello-pf > /www/index.html && exec httpd -f -p 8080 -h /www");
        var local = SkiffServer.FreePort();
        var psi = new ProcessStartInfo("kubectl", ["--kubeconfig", f.Server.Kubeconfig, "port-forward", "-n", ns, "pod/web", $"{local}:8080"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.Environment["HOME"] = Path.Combine(f.Server.DataDir, "home");
        using var pf = Process.Start(psi)!;
        try
        {
            var deadline = DateTime.UtcNow + Patience;
            string? body = null;
            while (body is null && DateTime.UtcNow < deadline)
            {
                try
                {
                    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
                    body = await http.GetStringAsync($"http://127.0.0.1:{local}/index.html");
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or SocketException) { await Task.Delay(200); }
            }
            Assert.Equal("hello-pf\n", body);
        }
        finally
        {
            pf.Kill(true);
            await pf.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Proxies_reach_the_kubelet_and_the_pod()
    {
        var ns = await f.NamespaceAsync("proxy");
        await RunPodAsync(ns, "web", "mkdir -p /www && echo via-proxy > /www/index.html && exec httpd -f -p 8080 -h /www");
        var node = (await Kubectl.OkAsync(f.Server, "get", "nodes", "-o", "jsonpath={.items[0].metadata.name}")).Trim();
        Assert.Equal("ok", await Kubectl.OkAsync(f.Server, "get", "--raw", $"/api/v1/nodes/{node}/proxy/healthz"));
        Assert.Equal("via-proxy\n", await Kubectl.OkAsync(f.Server, "get", "--raw", $"/api/v1/namespaces/{ns}/pods/web:8080/proxy/index.html"));
    }
}
