using System.Globalization;
using Microsoft.Extensions.Logging;
using Skiff.Agent.Cri;
using Skiff.Agent.Cri.Grpc;
using Skiff.Agent.Kubelet.Eviction;

namespace Skiff.Agent.Kubelet.ImageGc;

/// <summary>One collection's outcome: the images removed and the bytes they held.</summary>
public sealed record ImageGcResult(int Images, long Bytes)
{
    public static readonly ImageGcResult None = new(0, 0);
}

/// <summary>A collection that could not free what it had to, or could not read the image filesystem; its message is upstream's.</summary>
public sealed class ImageGcException(string message) : Exception(message);

/// <summary>
/// Upstream's image garbage collection (the kubelet's image GC manager). Every <see cref="ImageGcPolicy.Period"/>,
/// from the kubelet's start, it lists the runtime's images and containers, and when the image filesystem is at or
/// over the high threshold it removes unused images, least recently used first, until the usage is down to the low
/// threshold. It never removes an image a container (running or exited) uses, an image first seen less than the
/// minimum age ago, or a pinned one: pinned by the runtime, the sandbox image, the air-gap images
/// (<see cref="NodeRuntime.PinnedImages"/>). When those names are unknown (an external runtime, whose sandbox image
/// Skiff does not know) it removes nothing. A collection that frees too little records upstream's Warning
/// FreeDiskSpaceFailed event; two failing collections in a row record ImageGCFailed. The eviction manager's
/// reclaim calls <see cref="DeleteUnusedAsync"/>. Thread-safe: collections run one at a time.
/// </summary>
public sealed class ImageGarbageCollector(
    RuntimeServiceClient runtime,
    ImageServiceClient images,
    Func<IReadOnlySet<string>?> pinned,
    Func<CancellationToken, Task<SignalObservation?>> imageFs,
    ImageGcPolicy policy,
    string nodeName,
    ILogger<ImageGarbageCollector> log,
    IKubeletEvents? events = null,
    TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ImageRecords _records = new();
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The collection the loop runs: frees space only when the image filesystem is over the high threshold.</summary>
    public async Task<ImageGcResult> CollectAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();
            if (await CandidatesAsync(now, ct).ConfigureAwait(false) is not { } candidates) return ImageGcResult.None;
            var fs = await imageFs(ct).ConfigureAwait(false) ?? throw new ImageGcException("the image filesystem's usage is not known");
            var (capacity, available) = (fs.Capacity, Math.Min(fs.Available, fs.Capacity));
            if (capacity <= 0)
            {
                const string invalid = "invalid capacity 0 on image filesystem";
                events?.Record(KubeletEvents.NodeRef(nodeName), EventTypes.Warning, EventReasons.InvalidDiskCapacity, invalid);
                throw new ImageGcException(invalid);
            }
            var usage = 100 - (int)(available * 100 / capacity);
            if (usage < policy.HighThresholdPercent) return ImageGcResult.None;

            var toFree = capacity * (100 - policy.LowThresholdPercent) / 100 - available;
            log.LogInformation("Image filesystem is {Usage}% used, over the high threshold ({High}%): freeing {Bytes} bytes to get down to {Low}%",
                usage, policy.HighThresholdPercent, toFree, policy.LowThresholdPercent);
            var (freed, errors) = await FreeAsync(toFree, now, candidates, ct).ConfigureAwait(false);
            if (errors.Count > 0)
                throw new ImageGcException(string.Create(CultureInfo.InvariantCulture,
                    $"wanted to free {toFree} bytes, but freed {freed.Bytes} bytes space with errors in image deletion: [{string.Join(", ", errors)}]"));
            if (freed.Bytes < toFree)
            {
                var message = string.Create(CultureInfo.InvariantCulture,
                    $"Failed to garbage collect required amount of images. Attempted to free {toFree} bytes, but only found {freed.Bytes} bytes eligible to free.");
                events?.Record(KubeletEvents.NodeRef(nodeName), EventTypes.Warning, EventReasons.FreeDiskSpaceFailed, message);
                throw new ImageGcException(message);
            }
            return freed;
        }
        finally { _gate.Release(); }
    }

    /// <summary>Removes every unused image old enough to go, whatever the usage (upstream's DeleteUnusedImages, for the eviction manager).</summary>
    public async Task<ImageGcResult> DeleteUnusedAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();
            if (await CandidatesAsync(now, ct).ConfigureAwait(false) is not { } candidates) return ImageGcResult.None;
            var (freed, errors) = await FreeAsync(long.MaxValue, now, candidates, ct).ConfigureAwait(false);
            foreach (var error in errors) log.LogWarning("Removing an unused image failed: {Error}", error);
            return freed;
        }
        finally { _gate.Release(); }
    }

    /// <summary>Collects at once and then every period; a failure is logged, and a second one in a row is also a node event.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        if (!policy.Enabled)
        {
            log.LogInformation("Image garbage collection is off (--image-gc-high-threshold is 100)");
            return;
        }
        if (pinned() is null) log.LogInformation("Image garbage collection is off: the external runtime's sandbox image is not known");
        var failedBefore = false;
        using var timer = new PeriodicTimer(policy.Period, _time);
        do
        {
            try
            {
                var result = await CollectAsync(ct).ConfigureAwait(false);
                if (failedBefore) log.LogInformation("Image garbage collection succeeded");
                else log.LogDebug("Image garbage collection succeeded: removed {Images} image(s), {Bytes} bytes", result.Images, result.Bytes);
                failedBefore = false;
            }
            catch (Exception e) when (e is ImageGcException or RpcException or IOException)
            {
                if (failedBefore)
                {
                    log.LogError("Image garbage collection failed multiple times in a row: {Error}", e.Message);
                    events?.Record(KubeletEvents.NodeRef(nodeName), EventTypes.Warning, EventReasons.ImageGCFailed, e.Message);
                }
                else log.LogWarning("Image garbage collection failed once: {Error}", e.Message);
                failedBefore = true;
            }
        }
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
    }

    /// <summary>Refreshes the records; the images that may go, in eviction order, or null when nothing may be removed.</summary>
    private async Task<List<ImageGcCandidate>?> CandidatesAsync(DateTimeOffset now, CancellationToken ct)
    {
        if (pinned() is not { } keep) return null;
        var listed = await images.ListImagesAsync(null, ct).ConfigureAwait(false);
        var containers = await runtime.ListContainersAsync(null, ct).ConfigureAwait(false);
        var inUse = _records.Observe(listed, containers, keep, now);
        return _records.EvictionOrder(inUse);
    }

    /// <summary>Removes candidates old enough until <paramref name="bytes"/> are freed; removals the runtime refuses are skipped and returned.</summary>
    private async Task<(ImageGcResult Freed, List<string> Errors)> FreeAsync(long bytes, DateTimeOffset now, List<ImageGcCandidate> candidates, CancellationToken ct)
    {
        var errors = new List<string>();
        var (count, freed) = (0, 0L);
        foreach (var image in candidates)
        {
            if (now - image.FirstDetected < policy.MinAge) continue; // it may have just been pulled for a pod about to start
            try
            {
                log.LogInformation("Removing image {Image} ({Id}) to free {Bytes} bytes", image.Name, image.Id, image.Size);
                await images.RemoveImageAsync(image.Id, ct).ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                errors.Add($"{image.Name}: {e.Message}");
                continue;
            }
            _records.Forget(image.Id);
            count++;
            freed += image.Size;
            if (freed >= bytes) break;
        }
        return (new ImageGcResult(count, freed), errors);
    }
}
