using Skiff.Agent.Kubelet;
using Skiff.Agent.Tests.Support;
using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Meta.V1;

namespace Skiff.Agent.Tests.Kubelet;

public sealed class StatusManagerTests
{
    private sealed class RecordingWriter : IPodStatusWriter
    {
        public List<PodStatus> Written { get; } = [];
        public bool FailNext;

        public Task WriteAsync(Pod pod, PodStatus status, CancellationToken ct)
        {
            if (FailNext) { FailNext = false; throw new HttpRequestException("API server went away"); }
            Written.Add(status);
            return Task.CompletedTask;
        }
    }

    private static Pod Pod(PodStatus? current = null) => new() { Metadata = new ObjectMeta { Name = "p", Namespace = "ns", Uid = "u" }, Status = current };

    [Fact]
    public async Task Only_changes_are_written_and_a_failed_write_is_retried_next_time()
    {
        var writer = new RecordingWriter();
        var manager = new StatusManager(writer, new TestLogger<StatusManager>());

        Assert.True(await manager.SetAsync(Pod(), new PodStatus { Phase = "Pending" }, CancellationToken.None));
        Assert.False(await manager.SetAsync(Pod(), new PodStatus { Phase = "Pending" }, CancellationToken.None));
        writer.FailNext = true;
        await Assert.ThrowsAsync<HttpRequestException>(() => manager.SetAsync(Pod(), new PodStatus { Phase = "Running" }, CancellationToken.None));
        Assert.True(await manager.SetAsync(Pod(), new PodStatus { Phase = "Running" }, CancellationToken.None));
        Assert.Equal(["Pending", "Running"], writer.Written.Select(s => s.Phase));
    }

    [Fact]
    public async Task A_status_the_api_already_has_is_not_written_again_after_a_restart()
    {
        var writer = new RecordingWriter();
        var manager = new StatusManager(writer, new TestLogger<StatusManager>());
        Assert.False(await manager.SetAsync(Pod(new PodStatus { Phase = "Running", PodIP = "10.0.0.1" }), new PodStatus { Phase = "Running", PodIP = "10.0.0.1" }, CancellationToken.None));
        Assert.Empty(writer.Written);
    }
}
