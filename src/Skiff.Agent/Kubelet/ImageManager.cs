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
/// Failed pulls back off per pod and image (ErrImagePull, then ImagePullBackOff while waiting).
/// Thread-safe.
/// </summary>
public sealed class ImageManager(ImageServiceClient images, Backoff backoff, ILogger<ImageManager> log)
{
    /// <summary>The image reference (id) to create the container from.</summary>
    public async Task<string> EnsureImageAsync(Pod pod, Container container, PodSandboxConfig sandbox, CancellationToken ct)
    {
        var image = container.Image ?? throw new ImagePullException("InvalidImageName", "the container has no image");
        var policy = container.ImagePullPolicy is { Length: > 0 } p ? p : DefaultPolicy(image);
        var present = await images.ImageStatusAsync(image, ct).ConfigureAwait(false);
        if (policy == "Never")
        {
            return present?.Id ?? throw new ImagePullException("ErrImageNeverPull",
                $"Container image \"{image}\" is not present with pull policy of Never");
        }
        if (policy == "IfNotPresent" && present is not null) return present.Id;

        var key = $"{PodNaming.Uid(pod)}/{image}";
        if (LastFailure.TryGetValue(key, out var failedAt) && backoff.IsInBackoffSince(key, failedAt))
            throw new ImagePullException("ImagePullBackOff", $"Back-off pulling image \"{image}\"");
        try
        {
            var reference = await images.PullImageAsync(image, sandboxConfig: sandbox, ct: ct).ConfigureAwait(false);
            backoff.Reset(key);
            LastFailure.TryRemove(key, out _);
            return reference;
        }
        catch (RpcException e)
        {
            // Skiff's own choice: with Always, a pull that fails while the image is already here (imported from
            // the air-gap directory, or pulled before) runs the local copy instead of failing the pod, so an
            // offline node runs `image: busybox` (":latest", hence Always) as users of k3s's air-gap images expect.
            // Upstream would report ErrImagePull here.
            if (policy == "Always" && present is not null)
            {
                log.LogInformation("Pulling {Image} failed ({Error}); using the local copy", image, e.Message);
                return present.Id;
            }
            var now = backoff.Now;
            backoff.Next(key, now);
            LastFailure[key] = now;
            throw new ImagePullException("ErrImagePull", $"failed to pull image \"{image}\": {e.Message}");
        }
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
