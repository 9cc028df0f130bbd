using Skiff.Api.Models.Core.V1;

namespace Skiff.Agent.Volumes;

public interface IVolumeManager
{
    Task<IReadOnlyList<VolumeMount>> SetUpAsync(Pod pod, CancellationToken ct);
    Task TearDownAsync(Pod pod, CancellationToken ct);
}

public sealed record VolumeMount(string ContainerName, string HostPath, string ContainerPath, bool ReadOnly, string? SubPath);

/// <summary>Where a pod's volumes live under its directory (upstream's layout: volumes/&lt;plugin&gt;/&lt;name&gt;).</summary>
public static class VolumeLayout
{
    public const string EmptyDirPlugin = "kubernetes.io~empty-dir";

    public static string EmptyDirs(string podDirectory) => Path.Combine(podDirectory, "volumes", EmptyDirPlugin);

    public static string EmptyDir(string podDirectory, string name) => Path.Combine(EmptyDirs(podDirectory), name);
}
