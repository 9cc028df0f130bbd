using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Skiff.Agent.Cri;
using Skiff.Agent.Cri.Grpc;
using Skiff.Agent.Cri.V1;
using Skiff.Api.Models.Core.V1;

using Container = Skiff.Api.Models.Core.V1.Container;

namespace Skiff.Agent.Kubelet;

/// <summary>An image could not be made available; <see cref="Reason"/> is the container's waiting reason.</summary>
public sealed class ImagePullException(string reason, string message) : Exception(message)
{
    public string Reason { get; } = reason;
}

/// <summary>
/// Makes a container's image present as its imagePullPolicy says (upstream's image manager): Never uses
/// only a local image (ErrImageNeverPull), IfNotPresent pulls when missing, Always pulls every time.
/// Failed pulls back off per pod and image (ErrImagePull, then ImagePullBackOff while waiting). Each step is
/// an event on the container, with upstream's reasons and messages (Pulling, Pulled, Failed, BackOff,
/// ErrImageNeverPull). Thread-safe.
/// </summary>
public sealed class ImageManager(ImageServiceClient images, Backoff backoff, ILogger<ImageManager> log, IKubeletEvents? events = null)
{
    private readonly IKubeletEvents _events = events ?? KubeletEvents.None;

    /// <summary>The image reference (id) to create the container from.</summary>
    public async Task<string> EnsureImageAsync(Pod pod, Container container, PodSandboxConfig sandbox, CancellationToken ct)
    {
        var image = container.Image ?? throw new ImagePullException("InvalidImageName", "the container has no image");
        var name = container.Name ?? "";
        var policy = container.ImagePullPolicy is { Length: > 0 } p ? p : DefaultPolicy(image);
        var present = await images.ImageStatusAsync(image, ct).ConfigureAwait(false);
        if (policy == "Never")
        {
            if (present is not null)
            {
                _events.Container(pod, name, EventTypes.Normal, EventReasons.Pulled, AlreadyPresent(image));
                return present.Id;
            }
            var message = $"Container image \"{image}\" is not present with pull policy of Never";
            _events.Container(pod, name, EventTypes.Warning, EventReasons.ErrImageNeverPull, message);
            throw new ImagePullException("ErrImageNeverPull", message);
        }
        if (policy == "IfNotPresent" && present is not null)
        {
            _events.Container(pod, name, EventTypes.Normal, EventReasons.Pulled, AlreadyPresent(image));
            return present.Id;
        }

        var key = $"{PodNaming.Uid(pod)}/{image}";
        if (LastFailure.TryGetValue(key, out var failedAt) && backoff.IsInBackoffSince(key, failedAt))
        {
            var message = $"Back-off pulling image \"{image}\"";
            _events.Container(pod, name, EventTypes.Normal, EventReasons.BackOff, message);
            throw new ImagePullException("ImagePullBackOff", message);
        }
        _events.Container(pod, name, EventTypes.Normal, EventReasons.Pulling, $"Pulling image \"{image}\"");
        var clock = Stopwatch.StartNew();
        try
        {
            var reference = await images.PullImageAsync(image, sandboxConfig: sandbox, ct: ct).ConfigureAwait(false);
            var took = GoDuration.Format(clock.Elapsed);
            backoff.Reset(key);
            LastFailure.TryRemove(key, out _);
            var size = await SizeAsync(reference, ct).ConfigureAwait(false);
            // Skiff pulls do not queue behind each other, so the time including waiting is the pull's own.
            _events.Container(pod, name, EventTypes.Normal, EventReasons.Pulled,
                $"Successfully pulled image \"{image}\" in {took} ({took} including waiting). Image size: {size} bytes.");
            return reference;
        }
        catch (RpcException e)
        {
            // Skiff's own choice: with Always, a pull that fails while the image is already here (imported from
            // the air-gap directory, or pulled before) runs the local copy instead of failing the pod, so an
            // offline node runs `image: busybox` (":latest", hence Always) as users of k3s's air-gap images expect.
            // Upstream would report ErrImagePull here. The event says so, without the error (which the log has),
            // so that repeats still aggregate.
            if (policy == "Always" && present is not null)
            {
                log.LogInformation("Pulling {Image} failed ({Error}); using the local copy", image, e.Message);
                _events.Container(pod, name, EventTypes.Normal, EventReasons.Pulled, AlreadyPresent(image) + " (pulling it failed, so the local copy is used)");
                return present.Id;
            }
            _events.Container(pod, name, EventTypes.Warning, EventReasons.Failed, $"Failed to pull image \"{image}\": {KubeletEvents.GoError(e)}");
            var now = backoff.Now;
            backoff.Next(key, now);
            LastFailure[key] = now;
            throw new ImagePullException("ErrImagePull", $"failed to pull image \"{image}\": {e.Message}");
        }
    }

    private static string AlreadyPresent(string image) => $"Container image \"{image}\" already present on machine and can be accessed by the pod";

    /// <summary>The pulled image's size for the Pulled message; 0 when the runtime does not say.</summary>
    private async Task<ulong> SizeAsync(string reference, CancellationToken ct)
    {
        try { return (await images.ImageStatusAsync(reference, ct).ConfigureAwait(false))?.Size ?? 0; }
        catch (RpcException) { return 0; }
    }

    /// <summary>When each pod/image last failed to pull; the backoff is measured from it.</summary>
    private System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> LastFailure { get; } = new();

    public void ForgetPod(string uid)
    {
        backoff.ResetPrefix(uid + "/");
        foreach (var k in LastFailure.Keys.Where(k => k.StartsWith(uid + "/", StringComparison.Ordinal))) LastFailure.TryRemove(k, out _);
    }

    /// <summary>Upstream's default: Always for :latest or an untagged image, IfNotPresent otherwise.</summary>
    public static string DefaultPolicy(string image)
    {
        if (image.Contains('@')) return "IfNotPresent";
        var lastSlash = image.LastIndexOf('/');
        var colon = image.LastIndexOf(':');
        var tag = colon > lastSlash ? image[(colon + 1)..] : null;
        return tag is null or "latest" ? "Always" : "IfNotPresent";
    }
}
