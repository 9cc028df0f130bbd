using System.Globalization;
using System.IO.Compression;
using Microsoft.Extensions.Logging;
using Skiff.Agent.Cri;
using Skiff.Agent.Cri.V1;

namespace Skiff.Agent.Logs;

/// <summary>Upstream's container log policy: --container-log-max-size (10Mi) and --container-log-max-files (5).</summary>
public sealed record LogRotationPolicy(long MaxSizeBytes = 10 * 1024 * 1024, int MaxFiles = 5)
{
    public static readonly LogRotationPolicy Default = new();
}

/// <summary>
/// Upstream's container log manager: every monitoring period (10 s) each running container's CRI log file that has
/// grown past the policy's size is rotated, so a chatty container cannot fill the disk. For one file:
/// <list type="number">
/// <item>leftovers of an interrupted pass go (temporary files, a rotated file whose compressed copy exists);</item>
/// <item>the oldest rotated files go until at most <c>MaxFiles − 2</c> are left (with the current file and the one
/// about to be rotated, that is <c>MaxFiles</c>);</item>
/// <item>the rotated files left are gzipped (<c>0.log.20261207-120000.gz</c>);</item>
/// <item>the file is renamed to <c>&lt;name&gt;.&lt;yyyyMMdd-HHmmss&gt;</c> (local time) and the runtime asked to reopen
/// it (CRI ReopenContainerLog); if that fails the rename is undone. That newest rotated file stays uncompressed until
/// the next rotation, so a reader that has it open can finish.</item>
/// </list>
/// <c>kubectl logs</c> reads the current file, as upstream. One loop; a file that cannot be handled is logged and
/// tried again on the next pass.
/// </summary>
public sealed class ContainerLogRotator(RuntimeServiceClient runtime, LogRotationPolicy policy, ILogger<ContainerLogRotator> log, TimeProvider? clock = null)
{
    private const string TimestampFormat = "yyyyMMdd-HHmmss";
    private const string TmpSuffix = ".tmp";
    private const string GzSuffix = ".gz";
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public async Task RunAsync(TimeSpan period, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                try { await RotateAllAsync(ct).ConfigureAwait(false); }
                catch (Cri.Grpc.RpcException e) { log.LogWarning("Rotating container logs: listing containers failed: {Error}", e.Message); }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    /// <summary>One pass over the running containers; returns how many files were rotated.</summary>
    public async Task<int> RotateAllAsync(CancellationToken ct)
    {
        var running = await runtime.ListContainersAsync(new ContainerFilter { State = new ContainerStateValue { State = ContainerState.ContainerRunning } }, ct)
            .ConfigureAwait(false);
        var rotated = 0;
        foreach (var c in running)
        {
            try
            {
                var status = await runtime.ContainerStatusAsync(c.Id, ct: ct).ConfigureAwait(false);
                if (status.Status?.LogPath is not { Length: > 0 } path) continue;
                if (await RotateAsync(path, () => runtime.ReopenContainerLogAsync(c.Id, ct)).ConfigureAwait(false)) rotated++;
            }
            catch (Exception e) when (e is Cri.Grpc.RpcException or IOException or UnauthorizedAccessException)
            {
                log.LogWarning("Rotating the log of container {Id} failed: {Error}", c.Id, e.Message);
            }
        }
        return rotated;
    }

    /// <summary>Rotates <paramref name="path"/> if it is over the size; <paramref name="reopen"/> makes the runtime write a new file. True when rotated.</summary>
    public async Task<bool> RotateAsync(string path, Func<Task> reopen)
    {
        var current = new FileInfo(path);
        if (!current.Exists || current.Length < policy.MaxSizeBytes) return false;
        CleanUp(path);
        RemoveExcess(path);
        await CompressAsync(path).ConfigureAwait(false);

        var rotated = $"{path}.{_clock.GetLocalNow().ToString(TimestampFormat, CultureInfo.InvariantCulture)}";
        File.Move(path, rotated);
        try { await reopen().ConfigureAwait(false); }
        catch
        {
            File.Move(rotated, path); // the runtime still writes to the old file: keep it where kubectl logs looks
            throw;
        }
        log.LogDebug("Rotated container log {Path} ({Bytes} bytes)", path, current.Length);
        return true;
    }

    /// <summary>The rotated files of <paramref name="path"/>, oldest first (the timestamp suffix sorts by time).</summary>
    public static List<string> Rotated(string path)
    {
        var dir = Path.GetDirectoryName(path)!;
        var prefix = Path.GetFileName(path) + ".";
        // Matched by hand: .NET's "0.log.*" pattern also matches "0.log" itself (DOS semantics).
        return Directory.Exists(dir)
            ? [.. Directory.EnumerateFiles(dir).Where(f => Path.GetFileName(f).StartsWith(prefix, StringComparison.Ordinal) && !f.EndsWith(TmpSuffix, StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)]
            : [];
    }

    private static void CleanUp(string path)
    {
        var dir = Path.GetDirectoryName(path)!;
        var prefix = Path.GetFileName(path) + ".";
        foreach (var tmp in Directory.EnumerateFiles(dir).Where(f => Path.GetFileName(f).StartsWith(prefix, StringComparison.Ordinal) && f.EndsWith(TmpSuffix, StringComparison.Ordinal)))
            File.Delete(tmp);
        foreach (var f in Rotated(path).Where(f => !f.EndsWith(GzSuffix, StringComparison.Ordinal) && File.Exists(f + GzSuffix))) File.Delete(f);
    }

    private void RemoveExcess(string path)
    {
        var rotated = Rotated(path);
        var keep = Math.Max(0, policy.MaxFiles - 2);
        foreach (var f in rotated.Take(Math.Max(0, rotated.Count - keep))) File.Delete(f);
    }

    private static async Task CompressAsync(string path)
    {
        foreach (var f in Rotated(path).Where(f => !f.EndsWith(GzSuffix, StringComparison.Ordinal)))
        {
            var tmp = f + GzSuffix + TmpSuffix;
            await using (var source = File.OpenRead(f))
            await using (var target = File.Create(tmp))
            await using (var gzip = new GZipStream(target, CompressionLevel.Optimal))
                await source.CopyToAsync(gzip).ConfigureAwait(false);
            File.Move(tmp, f + GzSuffix);
            File.Delete(f);
        }
    }
}
