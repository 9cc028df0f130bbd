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
    public void Finished_pods_beyond_the_threshold_go_oldest_first_and_zero_keeps_them_all()
    {
        var pods = new[] { P("run"), P("old", phase: "Succeeded", ageMinutes: 30), P("mid", phase: "Failed", ageMinutes: 20), P("new", phase: "Succeeded", ageMinutes: 10),
            P("going", phase: "Failed", ageMinutes: 40, deleting: true) };
        Assert.Equal(["old", "mid"], PodGcDecisions.TerminatedOverThreshold(pods, 1).Select(p => p.Metadata!.Name));
        Assert.Empty(PodGcDecisions.TerminatedOverThreshold(pods, 3));
        Assert.Empty(PodGcDecisions.TerminatedOverThreshold(pods, 0));
    }

    [Fact]
    public void Orphans_are_pods_bound_to_a_missing_node_and_unscheduled_ones_being_deleted_go_too()
    {
        var pods = new[] { P("here"), P("lost", node: "gone"), P("pending", node: null), P("stuck", node: null, deleting: true), P("ending", node: "gone", deleting: true) };
        Assert.Equal(["lost", "ending"], PodGcDecisions.Orphaned(pods, new HashSet<string> { "n1" }).Select(p => p.Metadata!.Name));
        Assert.Equal(["stuck"], PodGcDecisions.UnscheduledTerminating(pods).Select(p => p.Metadata!.Name));
    }
}
