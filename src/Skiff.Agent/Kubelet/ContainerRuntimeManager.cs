using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Skiff.Agent.Cri;
using Skiff.Agent.Cri.Grpc;
using Skiff.Agent.Cri.V1;

namespace Skiff.Agent.Kubelet;

/// <summary>
/// The kubelet's CRI calls in pod terms: what the runtime holds for a pod (found by the pod UID
/// label, so a restarted agent re-adopts everything it made), running sandboxes and containers,
/// stopping and removing them. Holds no pod state except a cache of finished containers'
/// termination messages. Thread-safe.
/// </summary>
public sealed class ContainerRuntimeManager(RuntimeServiceClient runtime, ILogger<ContainerRuntimeManager> log, int? sandboxStartLimit = null)
{
    private static readonly Dictionary<string, string> Managed = new() { [PodNaming.ManagedLabel] = "true" };
    private readonly SemaphoreSlim _sandboxStarts = new(sandboxStartLimit ?? DefaultSandboxStartLimit);

    /// <summary>One more than the machine's CPUs: the cores stay busy while one start waits on the disk.</summary>
    public static int DefaultSandboxStartLimit => Environment.ProcessorCount + 1;

    public int SandboxStartLimit { get; } = sandboxStartLimit ?? DefaultSandboxStartLimit;
    public TimeSpan SandboxStartWait { get; init; } = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<string, string?> _messages = new();

    public RuntimeServiceClient Runtime => runtime;

    /// <summary>A fingerprint of every managed pod's sandboxes and containers (ids and states), by pod UID.</summary>
    public async Task<Dictionary<string, string>> SnapshotAsync(CancellationToken ct)
    {
        var sandboxes = await runtime.ListPodSandboxAsync(new PodSandboxFilter { LabelSelector = { Managed } }, ct).ConfigureAwait(false);
        var containers = await runtime.ListContainersAsync(new ContainerFilter { LabelSelector = { Managed } }, ct).ConfigureAwait(false);
        var parts = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string? uid, string item)
        {
            if (string.IsNullOrEmpty(uid)) return;
            if (!parts.TryGetValue(uid, out var list)) parts[uid] = list = [];
            list.Add(item);
        }
        foreach (var s in sandboxes) Add(s.Labels.GetValueOrDefault(PodNaming.PodUidLabel), $"s:{s.Id}:{s.State}");
        foreach (var c in containers) Add(c.Labels.GetValueOrDefault(PodNaming.PodUidLabel), $"c:{c.Id}:{c.State}");
        return parts.ToDictionary(kv => kv.Key, kv => string.Join(",", kv.Value.Order(StringComparer.Ordinal)), StringComparer.Ordinal);
    }

    /// <summary>Everything the runtime holds for <paramref name="uid"/>, with full container statuses.</summary>
    public async Task<RuntimePod> GetPodAsync(string uid, CancellationToken ct)
    {
        var selector = new Dictionary<string, string> { [PodNaming.PodUidLabel] = uid };
        var sandboxes = await runtime.ListPodSandboxAsync(new PodSandboxFilter { LabelSelector = { selector } }, ct).ConfigureAwait(false);
        var containers = await runtime.ListContainersAsync(new ContainerFilter { LabelSelector = { selector } }, ct).ConfigureAwait(false);
        var sandboxViews = new List<SandboxView>();
        foreach (var s in sandboxes)
        {
            string? ip = null;
            IReadOnlyList<string> more = [];
            if (s.State == PodSandboxState.SandboxReady)
            {
                try
                {
                    var st = (await runtime.PodSandboxStatusAsync(s.Id, ct: ct).ConfigureAwait(false)).Status;
                    ip = string.IsNullOrEmpty(st.Network?.Ip) ? null : st.Network.Ip;
                    more = st.Network?.AdditionalIps.Select(a => a.Ip).ToList() ?? [];
                }
                catch (RpcException e) when (e.Status == GrpcStatusCode.NotFound) { continue; }
            }
            sandboxViews.Add(new SandboxView
            {
                Id = s.Id,
                Ready = s.State == PodSandboxState.SandboxReady,
                Attempt = s.Metadata?.Attempt ?? 0,
                CreatedAt = FromNanos(s.CreatedAt) ?? DateTimeOffset.MinValue,
                Ip = ip,
                AdditionalIps = more,
            });
        }
        var views = new List<ContainerView>();
        foreach (var c in containers)
        {
            ContainerStatus st;
            try { st = (await runtime.ContainerStatusAsync(c.Id, ct: ct).ConfigureAwait(false)).Status; }
            catch (RpcException e) when (e.Status == GrpcStatusCode.NotFound) { continue; }
            var state = st.State switch
            {
                ContainerState.ContainerCreated => ContainerRunState.Created,
                ContainerState.ContainerRunning => ContainerRunState.Running,
                ContainerState.ContainerExited => ContainerRunState.Exited,
                _ => ContainerRunState.Unknown,
            };
            views.Add(new ContainerView
            {
                Id = c.Id,
                Name = c.Metadata?.Name ?? c.Labels.GetValueOrDefault(PodNaming.ContainerNameLabel) ?? "",
                SandboxId = c.PodSandboxId,
                Attempt = (int)(c.Metadata?.Attempt ?? 0),
                State = state,
                CreatedAt = FromNanos(st.CreatedAt),
                StartedAt = FromNanos(st.StartedAt),
                FinishedAt = FromNanos(st.FinishedAt),
                ExitCode = st.ExitCode,
                Reason = string.IsNullOrEmpty(st.Reason) ? null : st.Reason,
                Message = state == ContainerRunState.Exited ? TerminationMessage(st) : null,
                Image = st.Image?.Image ?? "",
                ImageRef = st.ImageRef,
                IsInit = c.Annotations.GetValueOrDefault(PodNaming.InitContainerAnnotation) == "true",
            });
        }
        return new RuntimePod(uid,
            [.. sandboxViews.OrderByDescending(s => s.CreatedAt)],
            [.. views.OrderByDescending(v => v.Attempt).ThenByDescending(v => v.CreatedAt)]);
    }

    /// <summary>
    /// Creates a sandbox; at most <see cref="SandboxStartLimit"/> at a time. A sandbox start is nearly all CPU (the
    /// network namespace, four CNI plugin processes, the shim and runc for the pause container), so when many pods
    /// arrive at once, running them all together makes every one of them as late as the last; in turns of about one
    /// per core the first ones are up early and the last no later (bench/README.md). A start waits at most
    /// <see cref="SandboxStartWait"/> for its turn, so sandboxes that hang in the runtime cannot hold the others back.
    /// </summary>
    public async Task<string> RunSandboxAsync(PodSandboxConfig config, CancellationToken ct)
    {
        var turn = await _sandboxStarts.WaitAsync(SandboxStartWait, ct).ConfigureAwait(false);
        try { return await runtime.RunPodSandboxAsync(config, ct: ct).ConfigureAwait(false); }
        finally { if (turn) _sandboxStarts.Release(); }
    }

    public async Task<string> CreateContainerAsync(string sandboxId, ContainerConfig config, PodSandboxConfig sandboxConfig, CancellationToken ct) =>
        await runtime.CreateContainerAsync(sandboxId, config, sandboxConfig, ct).ConfigureAwait(false);

    public Task StartContainerAsync(string id, CancellationToken ct) => runtime.StartContainerAsync(id, ct);

    /// <summary>SIGTERM, then SIGKILL after <paramref name="graceSeconds"/> (the runtime does both).</summary>
    public async Task StopContainerAsync(string id, long graceSeconds, CancellationToken ct)
    {
        try { await runtime.StopContainerAsync(id, Math.Max(0, graceSeconds), ct).ConfigureAwait(false); }
        catch (RpcException e) when (e.Status == GrpcStatusCode.NotFound) { }
    }

    public async Task RemoveContainerAsync(string id, CancellationToken ct)
    {
        try { await runtime.RemoveContainerAsync(id, ct).ConfigureAwait(false); }
        catch (RpcException e) when (e.Status == GrpcStatusCode.NotFound) { }
        _messages.TryRemove(id, out _);
    }

    public async Task StopSandboxAsync(string id, CancellationToken ct)
    {
        try { await runtime.StopPodSandboxAsync(id, ct).ConfigureAwait(false); }
        catch (RpcException e) when (e.Status == GrpcStatusCode.NotFound) { }
    }

    public async Task RemoveSandboxAsync(string id, CancellationToken ct)
    {
        try { await runtime.RemovePodSandboxAsync(id, ct).ConfigureAwait(false); }
        catch (RpcException e) when (e.Status == GrpcStatusCode.NotFound) { }
    }

    public Task<ExecSyncResponse> ExecSyncAsync(string containerId, IEnumerable<string> command, TimeSpan timeout, CancellationToken ct) =>
        runtime.ExecSyncAsync(containerId, command, timeout, ct);

    /// <summary>
    /// What the container wrote to its terminationMessagePath (kept on the host), else, when its policy
    /// is FallbackToLogsOnError and it failed, the tail of its log; at most 4 KiB, as upstream.
    /// </summary>
    private string? TerminationMessage(ContainerStatus st) => _messages.GetOrAdd(st.Id, _ =>
    {
        try
        {
            if (st.Annotations.GetValueOrDefault(PodNaming.HostTerminationLogAnnotation) is { Length: > 0 } file && File.Exists(file))
            {
                var text = ReadAtMost(file, 4096);
                if (text.Length > 0) return text;
            }
            if (st.ExitCode != 0 && st.Annotations.GetValueOrDefault(PodNaming.TerminationMessagePolicyAnnotation) == "FallbackToLogsOnError"
                && File.Exists(st.LogPath))
            {
                var lines = File.ReadAllLines(st.LogPath).TakeLast(80).Select(CriLogLine.Message);
                var tail = string.Join("\n", lines);
                return tail.Length > 2048 ? tail[^2048..] : tail;
            }
        }
        catch (IOException e) { log.LogDebug("Cannot read the termination message of {Container}: {Error}", st.Id, e.Message); }
        return null;
    });

    private static string ReadAtMost(string path, int bytes)
    {
        using var f = File.OpenRead(path);
        var buffer = new byte[bytes];
        var n = f.ReadAtLeast(buffer, bytes, throwOnEndOfStream: false);
        return System.Text.Encoding.UTF8.GetString(buffer, 0, n);
    }

    private static DateTimeOffset? FromNanos(long nanos) =>
        nanos <= 0 ? null : DateTimeOffset.UnixEpoch.AddTicks(nanos / 100);
}

/// <summary>The CRI log line format: "&lt;time&gt; &lt;stream&gt; &lt;P|F&gt; &lt;text&gt;".</summary>
internal static class CriLogLine
{
    public static string Message(string line)
    {
        var at = 0;
        for (var i = 0; i < 3; i++)
        {
            var space = line.IndexOf(' ', at);
            if (space < 0) return line;
            at = space + 1;
        }
        return line[at..];
    }
}
