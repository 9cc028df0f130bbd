using Skiff.Agent.Cri.Grpc;
using Skiff.Agent.Kubelet.Probes;
using Skiff.Api.Models.Core.V1;

namespace Skiff.Agent.Tests.Kubelet;

/// <summary>The exec prober over <see cref="FakeCri"/>: upstream's three outcomes of an exec probe.</summary>
public sealed class ExecProberTests
{
    private static readonly Probe Probe = new() { Exec = new ExecAction { Command = ["cat", "/tmp/healthy"] } };
    private static readonly ProbeTarget Target = new(new Container { Name = "app" }, "c-1", "10.1.0.2");

    private static async Task<ProbeOutcome> ProbeAsync(FakeCri cri) =>
        await new ExecProber(cri.Runtime).ProbeAsync(Probe, Target, TimeSpan.FromSeconds(1), CancellationToken.None);

    [Fact]
    public async Task Exit_code_0_is_success()
    {
        await using var cri = await FakeCri.StartAsync();
        Assert.Equal(new ProbeOutcome(true, ""), await ProbeAsync(cri));
    }

    [Fact]
    public async Task A_runtime_that_cannot_exec_is_an_error_with_gos_rpc_error_not_a_failure()
    {
        await using var cri = await FakeCri.StartAsync();
        cri.ExecSyncError = (GrpcStatusCode.NotFound, "container \"c-1\" in namespace \"k8s.io\": not found");

        var outcome = await ProbeAsync(cri);

        Assert.Equal(new ProbeOutcome(false, "rpc error: code = NotFound desc = container \"c-1\" in namespace \"k8s.io\": not found", Errored: true), outcome);
    }

    [Fact]
    public async Task A_command_past_its_timeout_is_a_failure_that_names_the_command()
    {
        await using var cri = await FakeCri.StartAsync();
        cri.ExecSyncError = (GrpcStatusCode.DeadlineExceeded, "timeout 1s exceeded: context deadline exceeded");

        Assert.Equal(new ProbeOutcome(false, "command \"cat /tmp/healthy\" timed out"), await ProbeAsync(cri));
    }
}
