using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Tests.Registry;

public sealed class DeletionRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

    private static JsonObject Obj(string? finalizers = null, string? deletionTimestamp = null, long? grace = null)
    {
        var meta = new JsonObject { ["name"] = "x" };
        if (finalizers is not null) meta["finalizers"] = JsonNode.Parse(finalizers);
        if (deletionTimestamp is not null) meta["deletionTimestamp"] = deletionTimestamp;
        if (grace is not null) meta["deletionGracePeriodSeconds"] = grace;
        return new JsonObject { ["metadata"] = meta };
    }

    private static string[] Finalizers(JsonObject o) =>
        o["metadata"]!["finalizers"] is JsonArray a ? a.Select(f => f!.GetValue<string>()).ToArray() : [];

    [Fact]
    public void NothingHoldingTheObjectRemovesIt()
    {
        Assert.Equal(DeleteAction.Remove, DeletionRules.Plan(Obj(), null, null, Now));
        Assert.Equal(DeleteAction.Remove, DeletionRules.Plan(Obj(), "Background", null, Now));
    }

    [Fact]
    public void OrphanAndForegroundBecomeFinalizersAndMarkTheObject()
    {
        var o = Obj();
        Assert.Equal(DeleteAction.Update, DeletionRules.Plan(o, "Orphan", null, Now));
        Assert.Equal(["orphan"], Finalizers(o));
        Assert.Equal("2026-11-22T08:00:00Z", o["metadata"]!["deletionTimestamp"]!.GetValue<string>());
        Assert.Equal(0, o["metadata"]!["deletionGracePeriodSeconds"]!.GetValue<long>());

        var f = Obj("""["example.com/keep"]""");
        Assert.Equal(DeleteAction.Update, DeletionRules.Plan(f, "Foreground", null, Now));
        Assert.Equal(["example.com/keep", "foregroundDeletion"], Finalizers(f));
    }

    [Fact]
    public void APendingDeleteChangesOnlyWhenThePolicyChanges()
    {
        var o = Obj("""["orphan"]""", "2026-11-22T07:00:00Z", 0);
        Assert.Equal(DeleteAction.Unchanged, DeletionRules.Plan(o, "Orphan", null, Now));
        Assert.Equal(DeleteAction.Unchanged, DeletionRules.Plan(o, null, null, Now));
        Assert.Equal(DeleteAction.Update, DeletionRules.Plan(o, "Foreground", null, Now));
        Assert.Equal(["foregroundDeletion"], Finalizers(o));
        // The original timestamp stays: a second delete does not restart the clock.
        Assert.Equal("2026-11-22T07:00:00Z", o["metadata"]!["deletionTimestamp"]!.GetValue<string>());
    }

    [Fact]
    public void BackgroundOnAPendingOrphanDeleteRemovesIt()
    {
        var o = Obj("""["orphan"]""", "2026-11-22T07:00:00Z", 0);
        Assert.Equal(DeleteAction.Remove, DeletionRules.Plan(o, "Background", null, Now));
    }

    [Fact]
    public void GracefulDeletionSetsATimestampInTheFutureAndMayOnlyShorten()
    {
        var o = Obj();
        Assert.Equal(DeleteAction.Update, DeletionRules.Plan(o, null, 30, Now));
        Assert.Equal("2026-11-22T08:00:30Z", o["metadata"]!["deletionTimestamp"]!.GetValue<string>());
        Assert.Equal(30, o["metadata"]!["deletionGracePeriodSeconds"]!.GetValue<long>());

        Assert.Equal(DeleteAction.Unchanged, DeletionRules.Plan(o, null, 30, Now));
        Assert.Equal(DeleteAction.Unchanged, DeletionRules.Plan(o, null, 60, Now));
        Assert.Equal(DeleteAction.Update, DeletionRules.Plan(o, null, 5, Now));
        Assert.Equal(5, o["metadata"]!["deletionGracePeriodSeconds"]!.GetValue<long>());
        // Force (grace 0) removes it.
        Assert.Equal(DeleteAction.Remove, DeletionRules.Plan(o, null, 0, Now));
    }

    [Fact]
    public void ForceDeletingAFinalizedObjectStillWaitsForItsFinalizers()
    {
        var o = Obj("""["example.com/keep"]""", "2026-11-22T07:00:00Z", 30);
        Assert.Equal(DeleteAction.Update, DeletionRules.Plan(o, null, 0, Now));
        Assert.Equal(0, o["metadata"]!["deletionGracePeriodSeconds"]!.GetValue<long>());
        Assert.False(DeletionRules.IsReadyToRemove(o));
        o["metadata"]!.AsObject().Remove("finalizers");
        Assert.True(DeletionRules.IsReadyToRemove(o));
    }

    [Fact]
    public void AnObjectInItsGracePeriodIsNotRemovedWhenFinalizersGo()
    {
        var o = Obj(null, "2026-11-22T08:00:30Z", 30);
        Assert.False(DeletionRules.IsReadyToRemove(o));
    }

    [Theory]
    [InlineData("""{"spec":{"nodeName":"n1"}}""", null, 30)]
    [InlineData("""{"spec":{"nodeName":"n1","terminationGracePeriodSeconds":7}}""", null, 7)]
    [InlineData("""{"spec":{"nodeName":"n1","terminationGracePeriodSeconds":7}}""", 2L, 2)]
    [InlineData("""{"spec":{}}""", null, 0)]
    [InlineData("""{"spec":{"nodeName":"n1"},"status":{"phase":"Succeeded"}}""", null, 0)]
    [InlineData("""{"spec":{"nodeName":"n1"}}""", -5L, 1)]
    public void PodGracePeriodFollowsUpstream(string pod, long? requested, long expected) =>
        Assert.Equal(expected, DeletionRules.PodGracePeriod(JsonNode.Parse(pod)!.AsObject(), requested));
}
