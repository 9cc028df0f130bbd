using Skiff.Api.Models;
using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Meta.V1;
using Skiff.Api.Models.Policy.V1;
using Skiff.Controllers.Disruption;

namespace Skiff.Controllers.Tests.Disruption;

public sealed class DisruptionBudgetMathTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

    private static Pod P(string name, bool ready = true, bool deleting = false) => new()
    {
        Metadata = new ObjectMeta { Name = name, DeletionTimestamp = deleting ? Now : null },
        Status = new PodStatus { Conditions = [new PodCondition { Type = "Ready", Status = ready ? "True" : "False" }] },
    };

    private static PodDisruptionBudget Budget(IntOrString? min = null, IntOrString? max = null, Dictionary<string, DateTimeOffset>? disrupted = null) => new()
    {
        Metadata = new ObjectMeta { Name = "b", Generation = 3 },
        Spec = new PodDisruptionBudgetSpec { MinAvailable = min, MaxUnavailable = max },
        Status = disrupted is null ? null : new PodDisruptionBudgetStatus { DisruptedPods = disrupted },
    };

    [Fact]
    public void IntegerMinAvailableCountsReadyPodsOnly()
    {
        var s = DisruptionBudgetMath.Compute(Budget(min: 2), [P("a"), P("b"), P("c"), P("d", ready: false), P("e", deleting: true)], null, Now);
        Assert.Equal((3, 2, 5, 1, 3L), (s.CurrentHealthy!.Value, s.DesiredHealthy!.Value, s.ExpectedPods!.Value, s.DisruptionsAllowed!.Value, s.ObservedGeneration!.Value));
        Assert.Equal("SufficientPods", s.Conditions![0].Reason);
    }

    [Fact]
    public void MaxUnavailablePercentUsesTheControllersScaleRoundingUp()
    {
        var s = DisruptionBudgetMath.Compute(Budget(max: "25%"), [P("a"), P("b"), P("c")], 5, Now);
        // 25% of 5 = 1.25 → 2 may be unavailable, so 3 must stay healthy: none left to disrupt.
        Assert.Equal((3, 3, 0), (s.DesiredHealthy!.Value, s.CurrentHealthy!.Value, s.DisruptionsAllowed!.Value));
        Assert.Equal("InsufficientPods", s.Conditions![0].Reason);
    }

    [Fact]
    public void APercentageWithoutControllersAllowsNothing()
    {
        var s = DisruptionBudgetMath.Compute(Budget(min: "50%"), [P("a"), P("b")], null, Now);
        Assert.Equal(0, s.DisruptionsAllowed);
        Assert.Equal("SyncFailed", s.Conditions![0].Reason);
    }

    [Fact]
    public void ARecentlyEvictedPodIsNotHealthyUntilItsEntryExpires()
    {
        var recent = Budget(min: 1, disrupted: new() { ["a"] = Now.AddSeconds(-30) });
        var s = DisruptionBudgetMath.Compute(recent, [P("a"), P("b")], null, Now);
        Assert.Equal((1, 0), (s.CurrentHealthy!.Value, s.DisruptionsAllowed!.Value));
        Assert.True(s.DisruptedPods!.ContainsKey("a"));

        var old = Budget(min: 1, disrupted: new() { ["a"] = Now.AddMinutes(-3) });
        var later = DisruptionBudgetMath.Compute(old, [P("a"), P("b")], null, Now);
        Assert.Equal((2, 1), (later.CurrentHealthy!.Value, later.DisruptionsAllowed!.Value));
        Assert.Null(later.DisruptedPods);
    }
}
