using Skiff.Api.Models.Core.V1;

namespace Skiff.Agent.Volumes;

public interface IVolumeManager
{
    Task<IReadOnlyList<VolumeMount>> SetUpAsync(Pod pod, CancellationToken ct);
    Task TearDownAsync(Pod pod, CancellationToken ct);
}

public sealed record VolumeMount(string ContainerName, string HostPath, string ContainerPath, bool ReadOnly, string? SubPath);
