using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Skiff.Agent.Cri;
using Skiff.Agent.Cri.Grpc;
using Skiff.Agent.Cri.V1;
using Skiff.Agent.Logs;
using Skiff.Streaming;
using Skiff.Api.Json;
using M = Skiff.Api.Models.Core.V1;

namespace Skiff.Agent.Server;

/// <summary>
/// The kubelet API's paths, as upstream's kubelet server names them: /healthz, /pods, /runningpods/,
/// /containerLogs/{ns}/{pod}/{container}, /exec and /attach/{ns}/{pod}[/{uid}]/{container},
/// /portForward/{ns}/{pod}[/{uid}], /metrics/resource (<see cref="ResourceMetrics"/>). Exec and attach speak
/// WebSocket (v5/v4 channel protocols, bridged to the runtime over SPDY) or pass a SPDY upgrade straight to the
/// runtime's streaming server; port
/// forwarding tunnels kubectl's SPDY (in WebSocket, or a SPDY upgrade) to the runtime unchanged. Errors
/// are metav1.Status JSON. Stateless; safe for concurrent requests.
/// </summary>
public sealed class KubeletApi(RuntimePods pods, RuntimeServiceClient runtime, IKnownPods known, KubeletAuthenticator authenticator, ILogger log)
{
    private readonly ContainerLogWriter _logs = new();
    private readonly RemoteCommandBridge _bridge = new(log);

    public async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "/";
        var ct = ctx.RequestAborted;
        try
        {
            var cert = await ctx.Connection.GetClientCertificateAsync(ct).ConfigureAwait(false);
            switch (authenticator.Check(cert, out var user))
            {
                case 401:
                    await WriteStatusAsync(ctx, 401, "Unauthorized", "Unauthorized").ConfigureAwait(false);
                    return;
                case 403:
                    await WriteStatusAsync(ctx, 403, "Forbidden", $"Forbidden (user={user}, verb={ctx.Request.Method.ToLowerInvariant()}, resource=nodes, subresource=proxy)").ConfigureAwait(false);
                    return;
            }
            var parts = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
            switch (parts.FirstOrDefault())
            {
                case "healthz":
                    ctx.Response.ContentType = "text/plain; charset=utf-8";
                    await ctx.Response.WriteAsync("ok", ct).ConfigureAwait(false);
                    return;
                case "pods" when parts.Length == 1:
                    await WritePodListAsync(ctx, known.Snapshot()).ConfigureAwait(false);
                    return;
                case "runningpods" when parts.Length == 1:
                    await WritePodListAsync(ctx, await RunningPodsAsync(ct).ConfigureAwait(false)).ConfigureAwait(false);
                    return;
                case "containerLogs" when parts.Length == 4:
                    await ContainerLogsAsync(ctx, parts[1], parts[2], parts[3]).ConfigureAwait(false);
                    return;
                case "exec" or "attach" when parts.Length is 4 or 5:
                    await RemoteCommandAsync(ctx, parts[0], parts[1], parts[2], parts.Length == 5 ? parts[3] : null, parts[^1]).ConfigureAwait(false);
                    return;
                case "metrics" when parts.Length == 2 && parts[1] == "resource":
                    ctx.Response.ContentType = ResourceMetrics.ContentType;
                    await ctx.Response.WriteAsync(await ResourceMetrics.ScrapeAsync(runtime, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
                    return;
                case "portForward" when parts.Length is 3 or 4:
                    await PortForwardAsync(ctx, parts[1], parts[2], parts.Length == 4 ? parts[3] : null).ConfigureAwait(false);
                    return;
            }
            await WriteStatusAsync(ctx, 404, "NotFound", $"the kubelet does not serve {path}").ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        catch (RpcException e) when (e.Status == GrpcStatusCode.NotFound)
        {
            await WriteStatusAsync(ctx, 404, "NotFound", e.Message).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or WebSocketException && ct.IsCancellationRequested) { }
        catch (Exception e)
        {
            log.LogError(e, "kubelet API request {Method} {Path} failed", ctx.Request.Method, path);
            await WriteStatusAsync(ctx, 500, "InternalError", e.Message).ConfigureAwait(false);
        }
    }

    private async Task ContainerLogsAsync(HttpContext ctx, string ns, string pod, string container)
    {
        var ct = ctx.RequestAborted;
        if (!LogOptions.TryParse(name => ctx.Request.Query[name].FirstOrDefault(), out var options, out var error))
        {
            await WriteStatusAsync(ctx, 400, "BadRequest", error!).ConfigureAwait(false);
            return;
        }
        var found = await pods.ContainerAsync(ns, pod, null, container, options.Previous, ct).ConfigureAwait(false);
        if (found is null)
        {
            var message = options.Previous
                ? $"previous terminated container \"{container}\" in pod \"{pod}\" not found"
                : $"container \"{container}\" in pod \"{pod}\" is not available";
            await WriteStatusAsync(ctx, options.Previous ? 400 : 404, options.Previous ? "BadRequest" : "NotFound", message).ConfigureAwait(false);
            return;
        }
        var status = await pods.StatusAsync(found.Id, ct).ConfigureAwait(false);
        var logPath = status?.LogPath;
        if (string.IsNullOrEmpty(logPath) || !File.Exists(logPath))
        {
            await WriteStatusAsync(ctx, 404, "NotFound", $"the log of container \"{container}\" in pod \"{pod}\" is not available").ConfigureAwait(false);
            return;
        }
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "text/plain";
        ctx.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await ctx.Response.StartAsync(ct).ConfigureAwait(false);
        await _logs.WriteAsync(logPath, options, ctx.Response.Body, async c =>
        {
            try { return (await pods.StatusAsync(found.Id, c).ConfigureAwait(false))?.State == ContainerState.ContainerRunning; }
            catch (RpcException) { return false; }
        }, ct).ConfigureAwait(false);
    }

    private async Task RemoteCommandAsync(HttpContext ctx, string kind, string ns, string pod, string? uid, string container)
    {
        var ct = ctx.RequestAborted;
        var options = RemoteCommandOptions.FromQuery(name => ctx.Request.Query[name].ToArray()!);
        if (!options.HasStreams)
        {
            await WriteStatusAsync(ctx, 400, "BadRequest", "you must specify at least 1 of stdin, stdout, stderr").ConfigureAwait(false);
            return;
        }
        if (kind == "exec" && options.Command.Count == 0)
        {
            await WriteStatusAsync(ctx, 400, "BadRequest", "you must specify at least one command for the container").ConfigureAwait(false);
            return;
        }
        var found = await pods.ContainerAsync(ns, pod, uid, container, false, ct).ConfigureAwait(false);
        if (found is null || found.State != ContainerState.ContainerRunning)
        {
            await WriteStatusAsync(ctx, 404, "NotFound", $"container \"{container}\" in pod \"{pod}\" is not running").ConfigureAwait(false);
            return;
        }

        async Task<Uri> StreamingUrlAsync()
        {
            string url;
            if (kind == "exec")
            {
                var request = new ExecRequest { ContainerId = found.Id, Tty = options.Tty, Stdin = options.Stdin, Stdout = options.Stdout, Stderr = options.Stderr };
                request.Cmd.AddRange(options.Command);
                url = await runtime.ExecAsync(request, ct).ConfigureAwait(false);
            }
            else
            {
                url = await runtime.AttachAsync(new AttachRequest { ContainerId = found.Id, Tty = options.Tty, Stdin = options.Stdin, Stdout = options.Stdout, Stderr = options.Stderr }, ct)
                    .ConfigureAwait(false);
            }
            return new Uri(url);
        }

        if (WebSocketHandshake.IsWebSocketRequest(ctx))
        {
            var protocol = StreamProtocols.Choose(WebSocketHandshake.RequestedProtocols(ctx), StreamProtocols.RemoteCommandWebSocket);
            if (protocol is null)
            {
                await WriteStatusAsync(ctx, 400, "BadRequest",
                    $"none of the requested WebSocket protocols is supported; supported: {string.Join(", ", StreamProtocols.RemoteCommandWebSocket)}").ConfigureAwait(false);
                return;
            }
            var streamingUrl = await StreamingUrlAsync().ConfigureAwait(false);
            using var socket = await WebSocketHandshake.AcceptAsync(ctx, protocol).ConfigureAwait(false);
            log.LogInformation("{Kind} in {Namespace}/{Pod}/{Container} over WebSocket {Protocol}", kind, ns, pod, container, protocol);
            await _bridge.RunAsync(socket, protocol, streamingUrl, options, ct).ConfigureAwait(false);
            return;
        }
        if (IsSpdyUpgrade(ctx))
        {
            await SpliceSpdyAsync(ctx, await StreamingUrlAsync().ConfigureAwait(false)).ConfigureAwait(false);
            return;
        }
        await WriteStatusAsync(ctx, 400, "BadRequest", "Upgrade request required").ConfigureAwait(false);
    }

    private async Task PortForwardAsync(HttpContext ctx, string ns, string pod, string? uid)
    {
        var ct = ctx.RequestAborted;
        var sandbox = await pods.SandboxAsync(ns, pod, uid, ct).ConfigureAwait(false);
        if (sandbox is null || sandbox.State != PodSandboxState.SandboxReady)
        {
            await WriteStatusAsync(ctx, 404, "NotFound", $"pod \"{pod}\" in namespace \"{ns}\" is not running").ConfigureAwait(false);
            return;
        }
        var ports = ctx.Request.Query["port"].Select(p => int.TryParse(p, out var n) ? n : 0).Where(n => n > 0);
        var url = new Uri(await runtime.PortForwardAsync(sandbox.Id, ports, ct).ConfigureAwait(false));

        if (WebSocketHandshake.IsWebSocketRequest(ctx))
        {
            var tunnel = StreamProtocols.SpdyTunnelPrefix + StreamProtocols.PortForward;
            if (StreamProtocols.Choose(WebSocketHandshake.RequestedProtocols(ctx), [tunnel]) is null)
            {
                await WriteStatusAsync(ctx, 400, "BadRequest", $"port forwarding over WebSocket needs the {tunnel} protocol").ConfigureAwait(false);
                return;
            }
            await using var upstream = await DialSpdyAsync(url, [StreamProtocols.PortForward], ct).ConfigureAwait(false);
            if (upstream.StatusCode != 101)
            {
                await WriteStatusAsync(ctx, 502, "InternalError", $"the runtime refused port forwarding: {upstream.StatusCode}").ConfigureAwait(false);
                return;
            }
            using var socket = await WebSocketHandshake.AcceptAsync(ctx, tunnel).ConfigureAwait(false);
            log.LogInformation("port-forward to {Namespace}/{Pod} over WebSocket", ns, pod);
            await WebSocketMessages.TunnelAsync(socket, upstream.Stream, ct).ConfigureAwait(false);
            return;
        }
        if (IsSpdyUpgrade(ctx))
        {
            await SpliceSpdyAsync(ctx, url).ConfigureAwait(false);
            return;
        }
        await WriteStatusAsync(ctx, 400, "BadRequest", "Upgrade request required").ConfigureAwait(false);
    }

    private static bool IsSpdyUpgrade(HttpContext ctx) =>
        ctx.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true }
        && ctx.Request.Headers.Upgrade.ToString().StartsWith("SPDY/", StringComparison.OrdinalIgnoreCase);

    /// <summary>Passes a SPDY upgrade to the runtime as it is: the protocol the runtime picks is the caller's.</summary>
    private static async Task SpliceSpdyAsync(HttpContext ctx, Uri url)
    {
        var ct = ctx.RequestAborted;
        var offered = ctx.Request.Headers[StreamProtocols.ProtocolHeader].SelectMany(v => v!.Split(',', StringSplitOptions.TrimEntries)).ToArray();
        await using var upstream = await DialSpdyAsync(url, offered, ct).ConfigureAwait(false);
        if (upstream.StatusCode != 101)
        {
            ctx.Response.StatusCode = upstream.StatusCode;
            await ctx.Response.Body.WriteAsync(upstream.Body, ct).ConfigureAwait(false);
            return;
        }
        if (upstream.Header(StreamProtocols.ProtocolHeader) is { } chosen) ctx.Response.Headers[StreamProtocols.ProtocolHeader] = chosen;
        ctx.Response.Headers.Upgrade = StreamProtocols.SpdyUpgrade;
        var client = await ctx.Features.Get<IHttpUpgradeFeature>()!.UpgradeAsync().ConfigureAwait(false);
        await WebSocketMessages.SpliceAsync(client, upstream.Stream, ct).ConfigureAwait(false);
    }

    private static Task<UpgradeResponse> DialSpdyAsync(Uri url, IEnumerable<string> protocols, CancellationToken ct) =>
        UpgradeDialer.DialAsync(url, "POST",
            [new("Connection", "Upgrade"), new("Upgrade", StreamProtocols.SpdyUpgrade), .. protocols.Select(p => new KeyValuePair<string, string>(StreamProtocols.ProtocolHeader, p))],
            null, ct);

    /// <summary>Upstream's /runningpods/: pods as the runtime sees them, with container names and images only.</summary>
    private async Task<IReadOnlyList<M.Pod>> RunningPodsAsync(CancellationToken ct)
    {
        var sandboxes = (await runtime.ListPodSandboxAsync(null, ct).ConfigureAwait(false)).Where(s => s.State == PodSandboxState.SandboxReady).ToList();
        var containers = await runtime.ListContainersAsync(new ContainerFilter { State = new ContainerStateValue { State = ContainerState.ContainerRunning } }, ct)
            .ConfigureAwait(false);
        return sandboxes.Select(s => new M.Pod
        {
            Metadata = new Skiff.Api.Models.Meta.V1.ObjectMeta { Name = s.Metadata.Name, Namespace = s.Metadata.Namespace, Uid = s.Metadata.Uid },
            Spec = new M.PodSpec
            {
                Containers = containers.Where(c => c.PodSandboxId == s.Id)
                    .Select(c => new M.Container { Name = c.Metadata.Name, Image = c.Image?.Image }).ToList(),
            },
        }).ToList();
    }

    private static async Task WritePodListAsync(HttpContext ctx, IReadOnlyList<M.Pod> items)
    {
        var list = new M.PodList { Kind = "PodList", ApiVersion = "v1", Metadata = new Skiff.Api.Models.Meta.V1.ListMeta(), Items = items.ToList() };
        ctx.Response.ContentType = "application/json";
        await ModelJson.SerializeAsync(ctx.Response.Body, list, ctx.RequestAborted).ConfigureAwait(false);
    }

    internal static async Task WriteStatusAsync(HttpContext ctx, int code, string reason, string message)
    {
        if (ctx.Response.HasStarted) return;
        ctx.Response.StatusCode = code;
        ctx.Response.ContentType = "application/json";
        var body = System.Text.Encoding.UTF8.GetBytes(new System.Text.Json.Nodes.JsonObject
        {
            ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new System.Text.Json.Nodes.JsonObject(),
            ["status"] = "Failure", ["message"] = message, ["reason"] = reason, ["code"] = code,
        }.ToJsonString());
        try { await ctx.Response.Body.WriteAsync(body, ctx.RequestAborted).ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or OperationCanceledException) { }
    }
}
