using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Tests.Framework;

public sealed class FitErrorTests
{
    [Fact]
    public void CountsReasonsPerNodeAndSortsThemAsUpstream()
    {
        var statuses = new Dictionary<string, Status>
        {
            ["a"] = Status.Unschedulable("Insufficient cpu", "Insufficient memory"),
            ["b"] = Status.Unschedulable("Insufficient cpu"),
            ["c"] = Status.Unresolvable("node(s) had untolerated taint {dedicated: gpu}"),
            ["d"] = Status.Unschedulable("Insufficient cpu"),
        };
        var e = new FitError(5, statuses)
        {
            PostFilterMessage = "preemption: 0/5 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.",
        };
        Assert.Equal("0/5 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {dedicated: gpu}, 3 Insufficient cpu. " +
                     "preemption: 0/5 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.", e.Message);
    }

    [Fact]
    public void APreFilterRejectionIsStatedOnce()
    {
        var reject = Status.Unresolvable("persistentvolumeclaim \"data\" not found");
        var e = new FitError(2, new Dictionary<string, Status> { ["a"] = reject, ["b"] = reject }, reject.Message);
        Assert.Equal("0/2 nodes are available: persistentvolumeclaim \"data\" not found.", e.Message);
    }

    [Fact]
    public void RemembersWhichPluginsRejected()
    {
        var e = new FitError(2, new Dictionary<string, Status>
        {
            ["a"] = Status.Unschedulable("Insufficient cpu").WithPlugin("NodeResourcesFit"),
            ["b"] = Status.Unresolvable("x").WithPlugin("TaintToleration"),
        });
        Assert.Equal(new HashSet<string> { "NodeResourcesFit", "TaintToleration" }, e.UnschedulablePlugins);
    }
}
