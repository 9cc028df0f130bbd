using Skiff.Api.Models.Core.V1;

namespace Skiff.Api.Taints;

/// <summary>Upstream's toleration matching (core/v1 helper ToleratesTaint), for the scheduler and the taint eviction controller. Stateless; thread-safe.</summary>
public static class Tolerations
{
    public static bool Tolerates(Toleration t, Taint taint)
    {
        if (!string.IsNullOrEmpty(t.Effect) && t.Effect != taint.Effect) return false;
        if (!string.IsNullOrEmpty(t.Key) && t.Key != taint.Key) return false;
        return t.Operator switch
        {
            "Exists" => true,
            null or "" or "Equal" => (t.Value ?? "") == (taint.Value ?? ""),
            _ => false,
        };
    }

    public static bool AnyTolerates(IReadOnlyList<Toleration>? tolerations, Taint taint)
    {
        if (tolerations is null) return false;
        foreach (var t in tolerations)
            if (Tolerates(t, taint)) return true;
        return false;
    }

    /// <summary>The first NoSchedule/NoExecute taint no toleration covers, or null.</summary>
    public static Taint? FirstUntolerated(IReadOnlyList<Taint> taints, IReadOnlyList<Toleration>? tolerations)
    {
        foreach (var taint in taints)
        {
            if (taint.Effect is not ("NoSchedule" or "NoExecute")) continue;
            if (!AnyTolerates(tolerations, taint)) return taint;
        }
        return null;
    }
}
