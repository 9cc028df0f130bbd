using System.Text.Json.Nodes;
using Skiff.ApiServer.Serialization;
using Skiff.Api.Json;

namespace Skiff.ApiServer.Registry;

/// <summary>What a delete request does to the stored object.</summary>
public enum DeleteAction
{
    /// <summary>Remove the object from the store now.</summary>
    Remove,
    /// <summary>Write the object back: marked for deletion, finalizers or grace period changed.</summary>
    Update,
    /// <summary>Already being deleted exactly this way; nothing to write.</summary>
    Unchanged,
}

/// <summary>
/// Upstream's rules for a delete (the generic registry's BeforeDelete and
/// updateForGracefulDeletionAndFinalizers): the propagation policy becomes the garbage
/// collector's finalizers, graceful kinds get a deletionTimestamp in the future, and an object
/// is removed at once only when nothing holds it. Pure functions over the object's JSON.
/// </summary>
public static class DeletionRules
{
    /// <summary>The garbage collector removes ownerReferences to the object from its dependents, then this finalizer.</summary>
    public const string OrphanFinalizer = "orphan";
    /// <summary>The garbage collector deletes the object's blocking dependents first, then this finalizer.</summary>
    public const string ForegroundFinalizer = "foregroundDeletion";

    /// <summary>
    /// Decides a delete. <paramref name="obj"/> is the current object and is changed in place
    /// to what should be written for <see cref="DeleteAction.Update"/>.
    /// <paramref name="gracePeriod"/> is the kind's graceful period for this request, or null
    /// for kinds that are never deleted gracefully.
    /// </summary>
    public static DeleteAction Plan(JsonObject obj, string? propagationPolicy, long? gracePeriod, DateTimeOffset now)
    {
        var meta = Obj.Meta(obj);
        var changed = ApplyPropagationPolicy(meta, propagationPolicy);
        var hasFinalizers = meta["finalizers"] is JsonArray { Count: > 0 };
        var grace = Math.Max(0, gracePeriod ?? 0);

        if (Obj.Str(meta, "deletionTimestamp") is not null)
        {
            // Already being deleted: a delete may only shorten the grace period.
            var current = meta["deletionGracePeriodSeconds"]?.GetValue<long>() ?? 0;
            if (gracePeriod is not null && grace < current)
            {
                Mark(meta, now, grace);
                current = grace;
                changed = true;
            }
            if (current == 0 && !hasFinalizers) return DeleteAction.Remove;
            return changed ? DeleteAction.Update : DeleteAction.Unchanged;
        }
        if (grace > 0)
        {
            Mark(meta, now, grace);
            return DeleteAction.Update;
        }
        if (hasFinalizers)
        {
            Mark(meta, now, 0);
            return DeleteAction.Update;
        }
        return DeleteAction.Remove;
    }

    /// <summary>An object marked for deletion is removed by a write once no finalizer and no grace period hold it.</summary>
    public static bool IsReadyToRemove(JsonObject obj) =>
        Obj.Str(obj["metadata"], "deletionTimestamp") is not null
        && obj["metadata"]?["finalizers"] is not JsonArray { Count: > 0 }
        && (obj["metadata"]?["deletionGracePeriodSeconds"]?.GetValue<long>() ?? 0) == 0;

    /// <summary>
    /// Orphan adds the orphan finalizer, Foreground the foregroundDeletion finalizer, Background
    /// neither; each removes the other's. No policy leaves the finalizers as they are (the
    /// default for every kind served here is Background). Returns whether anything changed.
    /// </summary>
    public static bool ApplyPropagationPolicy(JsonObject meta, string? policy)
    {
        if (policy is null) return false;
        var finalizers = meta["finalizers"] is JsonArray a
            ? a.Select(f => f?.GetValue<string>() ?? "").ToList()
            : [];
        var had = finalizers.ToList();
        finalizers.RemoveAll(f => f is OrphanFinalizer or ForegroundFinalizer);
        if (policy == "Orphan") finalizers.Add(OrphanFinalizer);
        if (policy == "Foreground") finalizers.Add(ForegroundFinalizer);
        if (had.SequenceEqual(finalizers)) return false;
        if (finalizers.Count == 0) meta.Remove("finalizers");
        else meta["finalizers"] = new JsonArray(finalizers.Select(f => (JsonNode)JsonValue.Create(f)!).ToArray());
        return true;
    }

    /// <summary>
    /// A pod's grace period (upstream's pod strategy): the request's, else the pod's
    /// terminationGracePeriodSeconds (30 by default); zero for a pod no node runs yet or one
    /// that has finished, since nothing needs to stop.
    /// </summary>
    public static long PodGracePeriod(JsonObject pod, long? requested)
    {
        var period = requested ?? pod["spec"]?["terminationGracePeriodSeconds"]?.GetValue<long>() ?? 30;
        if (period < 0) period = 1;
        if (string.IsNullOrEmpty(Obj.Str(pod["spec"], "nodeName"))) return 0;
        if (Obj.Str(pod["status"], "phase") is "Succeeded" or "Failed") return 0;
        return period;
    }

    private static void Mark(JsonObject meta, DateTimeOffset now, long grace)
    {
        meta["deletionTimestamp"] = KubernetesTime.FormatTime(now.AddSeconds(grace));
        meta["deletionGracePeriodSeconds"] = grace;
    }
}
