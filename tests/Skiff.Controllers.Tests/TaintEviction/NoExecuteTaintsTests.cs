using Skiff.Api.Models.Core.V1;
using Skiff.Controllers.TaintEviction;

namespace Skiff.Controllers.Tests.TaintEviction;

public sealed class NoExecuteTaintsTests
{
    private static readonly Taint Unreachable = new() { Key = "node.kubernetes.io/unreachable", Effect = "NoExecute" };
    private static readonly Taint Dedicated = new() { Key = "dedicated", Value = "db", Effect = "NoExecute" };
    private static readonly Taint Soft = new() { Key = "node.kubernetes.io/disk-pressure", Effect = "NoSchedule" };

    private static Toleration T(string? key, long? seconds = null, string op = "Exists", string? value = null, string? effect = "NoExecute") =>
        new() { Key = key, Operator = op, Value = value, Effect = effect, TolerationSeconds = seconds };

    [Fact]
    public void An_untolerated_NoExecute_taint_evicts_at_once_and_NoSchedule_ones_do_not_count()
    {
        Assert.Equal(TimeSpan.Zero, NoExecuteTaints.TimeAllowed([Unreachable], null));
        Assert.Equal(TimeSpan.Zero, NoExecuteTaints.TimeAllowed([Unreachable, Dedicated], [T("node.kubernetes.io/unreachable", 300)]));
        Assert.Equal(TimeSpan.Zero, NoExecuteTaints.TimeAllowed([Dedicated], [T("dedicated", op: "Equal", value: "web")]));
        Assert.Null(NoExecuteTaints.TimeAllowed([Soft], null));
    }

    [Fact]
    public void A_pod_may_stay_for_the_least_tolerationSeconds_it_uses_or_forever_without_any()
    {
        Assert.Equal(TimeSpan.FromSeconds(300), NoExecuteTaints.TimeAllowed([Unreachable], [T("node.kubernetes.io/unreachable", 300), T("node.kubernetes.io/not-ready", 5)]));
        Assert.Equal(TimeSpan.FromSeconds(60), NoExecuteTaints.TimeAllowed([Unreachable, Dedicated], [T("node.kubernetes.io/unreachable", 300), T("dedicated", 60, "Equal", "db")]));
        Assert.Null(NoExecuteTaints.TimeAllowed([Unreachable, Dedicated], [T(null, effect: null)])); // tolerates everything, forever
        Assert.Equal(TimeSpan.Zero, NoExecuteTaints.TimeAllowed([Unreachable], [T("node.kubernetes.io/unreachable", -5)])); // negative means at once
    }
}
