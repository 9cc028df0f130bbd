using Skiff.Api.Models.Core.V1;

namespace Skiff.Agent.Server;

/// <summary>The pods this kubelet is running, as its pod workers know them (served at /pods).</summary>
public interface IKnownPods
{
    IReadOnlyList<Pod> Snapshot();
}

/// <summary>Until pod workers are plugged in: no pods.</summary>
public sealed class NoKnownPods : IKnownPods
{
    public IReadOnlyList<Pod> Snapshot() => [];
}
