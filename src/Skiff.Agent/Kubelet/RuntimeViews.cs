namespace Skiff.Agent.Kubelet;

public enum ContainerRunState { Created, Running, Exited, Unknown }

/// <summary>One runtime container of a pod as the kubelet sees it (from CRI ContainerStatus). Immutable.</summary>
public sealed record ContainerView
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string SandboxId { get; init; }
    /// <summary>The restart count this container was created with (CRI metadata.attempt).</summary>
    public int Attempt { get; init; }
    public ContainerRunState State { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public int ExitCode { get; init; }
    public string? Reason { get; init; }
    /// <summary>The termination message (from terminationMessagePath or, when asked for, the log tail).</summary>
    public string? Message { get; init; }
    public string Image { get; init; } = "";
    public string ImageRef { get; init; } = "";
    public bool IsInit { get; init; }

    public string ContainerId => "containerd://" + Id;
}

/// <summary>One pod sandbox of a pod. Immutable.</summary>
public sealed record SandboxView
{
    public required string Id { get; init; }
    public bool Ready { get; init; }
    public uint Attempt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public string? Ip { get; init; }
    public IReadOnlyList<string> AdditionalIps { get; init; } = [];
}

/// <summary>Everything the runtime holds for one pod UID: sandboxes newest first, containers newest attempt first. Immutable.</summary>
public sealed record RuntimePod(string Uid, IReadOnlyList<SandboxView> Sandboxes, IReadOnlyList<ContainerView> Containers)
{
    public static RuntimePod Empty(string uid) => new(uid, [], []);

    public SandboxView? Current => Sandboxes.Count > 0 ? Sandboxes[0] : null;

    /// <summary>The newest container with <paramref name="name"/> (in any sandbox), or null.</summary>
    public ContainerView? Latest(string name) => Containers.FirstOrDefault(c => c.Name == name);

    /// <summary>The one before the newest, for lastState.</summary>
    public ContainerView? Previous(string name) => Containers.Where(c => c.Name == name).Skip(1).FirstOrDefault();

    public bool IsEmpty => Sandboxes.Count == 0 && Containers.Count == 0;
}
