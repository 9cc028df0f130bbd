using System.Collections.Concurrent;
using Skiff.Agent.Cri.V1;
using Skiff.Agent.Kubelet;
using Skiff.Agent.Tests.Support;

namespace Skiff.Agent.Tests.Kubelet;

public sealed class SandboxStartLimitTests
{
    private static PodSandboxConfig Config(string name) => new()
    {
        Metadata = new PodSandboxMetadata { Name = name, Namespace = "shop", Uid = "uid-" + name },
    };

    /// <summary>Holds each RunPodSandbox until released; counts those in flight.</summary>
    private sealed class Gate
    {
        private readonly ConcurrentQueue<TaskCompletionSource> _waiting = new();
        private int _inFlight;
        public int InFlight => Volatile.Read(ref _inFlight);
        public SemaphoreSlim Entered { get; } = new(0);

        public async Task HoldAsync()
        {
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Enqueue(release);
            Interlocked.Increment(ref _inFlight);
            Entered.Release();
            await release.Task;
            Interlocked.Decrement(ref _inFlight);
        }

        public void ReleaseOne()
        {
            if (_waiting.TryDequeue(out var r)) r.SetResult();
        }

        public void ReleaseAll()
        {
            while (_waiting.TryDequeue(out var r)) r.SetResult();
        }
    }

    [Fact]
    public async Task Only_the_limit_of_sandboxes_start_at_once_and_the_next_starts_when_one_is_done()
    {
        await using var cri = await FakeCri.StartAsync();
        var gate = new Gate();
        cri.BeforeRunSandbox = gate.HoldAsync;
        var runtime = new ContainerRuntimeManager(cri.Client, new TestLogger<ContainerRuntimeManager>(), sandboxStartLimit: 2)
        {
            SandboxStartWait = Timeout.InfiniteTimeSpan,
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var first = runtime.RunSandboxAsync(Config("a"), timeout.Token);
        var second = runtime.RunSandboxAsync(Config("b"), timeout.Token);
        Assert.True(await gate.Entered.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(await gate.Entered.WaitAsync(TimeSpan.FromSeconds(10)));
        var third = runtime.RunSandboxAsync(Config("c"), timeout.Token);
        // Given half a second, a third start that was not held back would have reached the runtime.
        Assert.False(await gate.Entered.WaitAsync(TimeSpan.FromMilliseconds(500)));
        Assert.Equal(2, gate.InFlight);

        gate.ReleaseOne();
        Assert.True(await gate.Entered.WaitAsync(TimeSpan.FromSeconds(10))); // the third goes once one is done
        gate.ReleaseAll();
        var ids = await Task.WhenAll(first, second, third);
        Assert.Equal(3, ids.Distinct().Count());
    }

    [Fact]
    public async Task A_start_that_waited_its_longest_goes_anyway_so_hung_sandboxes_cannot_block_the_node()
    {
        await using var cri = await FakeCri.StartAsync();
        var gate = new Gate();
        cri.BeforeRunSandbox = gate.HoldAsync;
        var runtime = new ContainerRuntimeManager(cri.Client, new TestLogger<ContainerRuntimeManager>(), sandboxStartLimit: 1)
        {
            SandboxStartWait = TimeSpan.FromMilliseconds(100),
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var hung = runtime.RunSandboxAsync(Config("hung"), timeout.Token);
        Assert.True(await gate.Entered.WaitAsync(TimeSpan.FromSeconds(10)));
        var next = runtime.RunSandboxAsync(Config("next"), timeout.Token);
        Assert.True(await gate.Entered.WaitAsync(TimeSpan.FromSeconds(10))); // reached the runtime while the first still hangs
        Assert.Equal(2, gate.InFlight);
        gate.ReleaseAll();
        await Task.WhenAll(hung, next);
        Assert.Equal(1, runtime.SandboxStartLimit);
    }
}
