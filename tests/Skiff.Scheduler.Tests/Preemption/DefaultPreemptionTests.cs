using LabelSelector = Skiff.Api.Models.Meta.V1.LabelSelector;
using Skiff.Api.Models.Policy.V1;
using Skiff.Scheduler.Framework;
using Skiff.Scheduler.Preemption;
using Skiff.Scheduler.Profiles;

namespace Skiff.Scheduler.Tests.Preemption;

public sealed class DefaultPreemptionTests
{
    private readonly FakeApi _api = new();
    private readonly FakeLister _lister = new();

    private (SchedulingFramework Fw, DefaultPreemption Plugin) Profile()
    {
        var fw = ProfileFactory.Build(new ProfileOptions(), new PluginHandle(_lister, _api, _api, NoNominations.Instance));
        return (fw, fw.PostFilter.OfType<DefaultPreemption>().Single());
    }

    private static Dictionary<string, Status> FilterAll(SchedulingFramework fw, CycleState state, PodInfo pod, Snapshot snapshot)
    {
        Assert.Null(fw.RunPreFilter(state, pod, snapshot));
        var statuses = new Dictionary<string, Status>();
        foreach (var n in snapshot.Nodes)
            if (fw.RunFilter(state, pod, n) is { } s) statuses[n.Name] = s;
        return statuses;
    }

    [Fact]
    public async Task EvictsTheFewestLeastImportantPodsAndNominatesTheNode()
    {
        var (fw, plugin) = Profile();
        // Node a: two low pods (1 cpu each) and one mid; node b: one mid pod of 3 cpu.
        var a = Make.NodeInfo(Make.Node("a", cpu: "4"), Make.Info("low-1", "1", priority: 1), Make.Info("low-2", "1", priority: 1), Make.Info("mid-a", "2", priority: 5));
        var b = Make.NodeInfo(Make.Node("b", cpu: "4"), Make.Info("mid-b", "3", priority: 5));
        var snapshot = Snapshot.Of([a, b]);
        var pod = Make.Info("urgent", "2", priority: 10);
        var state = new CycleState();
        var statuses = FilterAll(fw, state, pod, snapshot);
        Assert.Equal(2, statuses.Count);

        var result = await plugin.PostFilterAsync(state, pod, snapshot, statuses, CancellationToken.None);
        // Node a frees 2 cpu by evicting both low pods (highest victim priority 1); node b would need the priority-5 pod.
        Assert.Equal("a", result.NominatedNodeName);
        Assert.Null(result.Status);
        Assert.Equal(["low-1", "low-2"], _api.Deleted.Order());
        Assert.All(_api.StatusUpdates.Where(u => u.Condition is not null), u => Assert.Equal("DisruptionTarget", u.Condition!.Type));
        Assert.Equal(2, _api.Events.Count(e => e.Reason == "Preempted" && e.Message.EndsWith("on node a")));
    }

    [Fact]
    public void ReprievesAsManyVictimsAsPossible()
    {
        var (fw, plugin) = Profile();
        var node = Make.NodeInfo(Make.Node("a", cpu: "4"),
            Make.Info("low-small", "500m", priority: 1), Make.Info("low-big", "3", priority: 2));
        var pod = Make.Info("urgent", "1", priority: 10);
        var state = new CycleState();
        FilterAll(fw, state, pod, Snapshot.Of([node]));
        var (victims, violations, status) = plugin.SelectVictimsOnNode(fw, state.Clone(), pod, node.Clone(), new DisruptionBudgets(_lister));
        Assert.Null(status);
        Assert.Equal(0, violations);
        // The more important low-big is reprieved first (3 + 1 cpu still fits); low-small then no longer fits.
        Assert.Equal(["low-small"], victims!.Select(v => v.Name));
    }

    [Fact]
    public void PodsProtectedByADisruptionBudgetAreTakenLast()
    {
        var (fw, plugin) = Profile();
        _lister.Budgets.Add(new PodDisruptionBudget
        {
            Metadata = new() { Name = "guard", Namespace = "default" },
            Spec = new PodDisruptionBudgetSpec { Selector = new LabelSelector { MatchLabels = new() { ["app"] = "db" } } },
            Status = new PodDisruptionBudgetStatus { DisruptionsAllowed = 0 },
        });
        var protectedNode = Make.NodeInfo(Make.Node("a", cpu: "2"), Make.Info("db", "2", priority: 1, labels: new() { ["app"] = "db" }));
        var freeNode = Make.NodeInfo(Make.Node("b", cpu: "2"), Make.Info("batch", "2", priority: 1));
        var pod = Make.Info("urgent", "2", priority: 10);
        var snapshot = Snapshot.Of([protectedNode, freeNode]);
        var state = new CycleState();
        var statuses = FilterAll(fw, state, pod, snapshot);
        var (candidates, _) = plugin.FindCandidates(state, pod, snapshot, statuses);
        Assert.Equal(2, candidates.Count);
        Assert.Equal(1, candidates.Single(c => c.NodeName == "a").NumPdbViolations);
        Assert.Equal("b", DefaultPreemption.PickOneNode(candidates).NodeName);
    }

    [Fact]
    public void ABudgetIsCountedTheFirstTimeItsNamespaceIsSeen()
    {
        // The budgets of a namespace are read lazily; the first pod of that namespace must already count against them.
        _lister.Budgets.Add(new PodDisruptionBudget
        {
            Metadata = new() { Name = "guard", Namespace = "default" },
            Spec = new PodDisruptionBudgetSpec { Selector = new LabelSelector { MatchLabels = new() { ["app"] = "db" } } },
            Status = new PodDisruptionBudgetStatus { DisruptionsAllowed = 1 },
        });
        var budgets = new DisruptionBudgets(_lister);
        var (violating, free) = budgets.Split([
            Make.Info("db-0", "1", priority: 1, labels: new() { ["app"] = "db" }),
            Make.Info("db-1", "1", priority: 1, labels: new() { ["app"] = "db" }),
        ]);
        Assert.Equal(["db-0"], free.Select(p => p.Name));
        Assert.Equal(["db-1"], violating.Select(p => p.Name));
    }

    [Fact]
    public async Task SaysWhyWhenPreemptionCannotHelp()
    {
        var (fw, plugin) = Profile();
        var tainted = Make.NodeInfo(Make.Node("t", taints: [new() { Key = "k", Value = "v", Effect = "NoSchedule" }]));
        var sameOrHigher = Make.NodeInfo(Make.Node("s", cpu: "1"), Make.Info("peer", "1", priority: 10));
        var snapshot = Snapshot.Of([tainted, sameOrHigher]);
        var pod = Make.Info("urgent", "1", priority: 10);
        var state = new CycleState();
        var statuses = FilterAll(fw, state, pod, snapshot);
        var result = await plugin.PostFilterAsync(state, pod, snapshot, statuses, CancellationToken.None);
        Assert.Null(result.NominatedNodeName);
        Assert.Equal("preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.", result.Status!.Message);
        Assert.Empty(_api.Deleted);

        var never = Make.Info("polite", "1", priority: 10, spec: s => s.PreemptionPolicy = "Never");
        Assert.Equal("preemption: not eligible due to preemptionPolicy=Never.",
            (await plugin.PostFilterAsync(state, never, snapshot, statuses, CancellationToken.None)).Status!.Message);
    }

    [Fact]
    public void PicksByViolationsThenHighestVictimPriorityThenSumThenCount()
    {
        static PodInfo V(string n, int p) => Make.Info(n, priority: p);
        var c1 = new DefaultPreemption.Candidate("one", [V("a", 5)], 0);
        var c2 = new DefaultPreemption.Candidate("two", [V("b", 3), V("c", 3)], 0);
        var c3 = new DefaultPreemption.Candidate("three", [V("d", 3)], 0);
        var c4 = new DefaultPreemption.Candidate("four", [V("e", 1)], 1);
        Assert.Equal("three", DefaultPreemption.PickOneNode([c1, c2, c3, c4]).NodeName);
    }
}
