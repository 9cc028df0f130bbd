using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Meta.V1;
using Skiff.Controllers.PodGc;

namespace Skiff.Controllers.Tests.PodGc;

public sealed class PodGcDecisionsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static Pod P(string name, string? node = "n1", string phase = "Running", int ageMinutes = 0, bool deleting = false) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "ns", CreationTimestamp = T0.AddMinutes(-ageMinutes), DeletionTimestamp = deleting ? T0 : null },
        Spec = new PodSpec { NodeName = node },
        Status = new PodStatus { Phase = phase },
    };

    [Fact]
    public void Finished_pods_beyond_the_threshold_go_evicted_first_then_oldest_and_zero_keeps_them_all()
    {
        var evicted = P("evicted", phase: "Failed", ageMinutes: 5);
        evicted.Status!.Reason = "Evicted";
        var pods = new[] { P("run"), P("old", phase: "Succeeded", ageMinutes: 30), P("mid", phase: "Failed", ageMinutes: 20), P("new", phase: "Succeeded", ageMinutes: 10),
            P("going", phase: "Failed", ageMinutes: 40, deleting: true), evicted, P("b-twin", phase: "Succeeded", ageMinutes: 20), P("a-twin", phase: "Succeeded", ageMinutes: 20) };
        // Upstream counts finished pods that are already being deleted too; same-age pods go by name.
        Assert.Equal(["evicted", "going", "old", "a-twin", "b-twin", "mid"], PodGcDecisions.TerminatedOverThreshold(pods, 1).Select(p => p.Metadata!.Name));
        Assert.Equal(["evicted", "going"], PodGcDecisions.TerminatedOverThreshold(pods, 5).Select(p => p.Metadata!.Name));
        Assert.Empty(PodGcDecisions.TerminatedOverThreshold(pods, 7));
        Assert.Empty(PodGcDecisions.TerminatedOverThreshold(pods, 0));
    }

    private static Node N(string name, string? ready, params string[] taints) => new()
    {
        Metadata = new ObjectMeta { Name = name },
        Spec = new NodeSpec { Taints = [.. taints.Select(t => new Taint { Key = t, Effect = "NoExecute" })] },
        Status = new NodeStatus { Conditions = ready is null ? [] : [new NodeCondition { Type = "Ready", Status = ready }] },
    };

    [Fact]
    public void Pods_being_deleted_go_only_from_a_node_that_is_not_ready_and_tainted_out_of_service()
    {
        const string oos = PodGcDecisions.OutOfServiceTaint;
        var nodes = new[]
        {
            N("down", "False", oos), N("unknown", "Unknown", oos), N("silent", null, oos),
            N("ready-but-tainted", "True", oos), N("down-untainted", "False", "node.kubernetes.io/unreachable"),
        }.ToDictionary(n => n.Metadata!.Name!);
        var pods = new[]
        {
            P("d1", node: "down", deleting: true, ageMinutes: 1), P("d2", node: "down", deleting: true, ageMinutes: 9), P("d-live", node: "down"),
            P("u", node: "unknown", deleting: true), P("s", node: "silent", deleting: true),
            P("r", node: "ready-but-tainted", deleting: true), P("x", node: "down-untainted", deleting: true),
            P("gone", node: "missing", deleting: true), P("nowhere", node: null, deleting: true),
        };
        Assert.Equal(["d2", "d1", "s", "u"], PodGcDecisions.TerminatingOnOutOfServiceNodes(pods, nodes).Select(p => p.Metadata!.Name));
    }

    [Fact]
    public void Orphans_are_pods_bound_to_a_missing_node_and_unscheduled_ones_being_deleted_go_too()
    {
        var pods = new[] { P("here"), P("lost", node: "gone"), P("pending", node: null), P("stuck", node: null, deleting: true), P("ending", node: "gone", deleting: true) };
        Assert.Equal(["lost", "ending"], PodGcDecisions.Orphaned(pods, new HashSet<string> { "n1" }).Select(p => p.Metadata!.Name));
        Assert.Equal(["stuck"], PodGcDecisions.UnscheduledTerminating(pods).Select(p => p.Metadata!.Name));
    }
}
