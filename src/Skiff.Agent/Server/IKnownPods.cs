using Skiff.Api.Models.Core.V1;

namespace Skiff.Agent.Server;

/// <summary>The pods this kubelet is running, as its pod workers know them (served at /pods).</summary>
public interface IKnownPods
{
    IReadOnlyList<Pod> Snapshot();
}

/// <summary>No pods (a kubelet API without pod workers, in tests).</summary>
public sealed class NoKnownPods : IKnownPods
{
    public IReadOnlyList<Pod> Snapshot() => [];
}

/// <summary>The kubelet's pods as the API server answers /pods: whatever the pod workers' cache holds now. Thread-safe.</summary>
public sealed class KnownPods : IKnownPods
{
    private volatile Func<IReadOnlyList<Pod>>? _source;

    /// <summary>Set by the kubelet once its pod cache exists.</summary>
    public void UseSource(Func<IReadOnlyList<Pod>> source) => _source = source;

    public IReadOnlyList<Pod> Snapshot() => _source?.Invoke() ?? [];
}
