using System.Text.Json.Nodes;
using Skiff.Api.Meta;
using Skiff.ApiServer.Errors;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Serialization;

namespace Skiff.ApiServer.Admission;

/// <summary>
/// Upstream's Priority admission plugin on pod create: spec.priority comes from the PriorityClass named
/// by spec.priorityClassName, or from the globalDefault class (else 0) when none is named; spec.preemptionPolicy
/// from the class when unset. A class that does not exist, or a priority or policy in the pod that differs from
/// the class's, is refused with 403 Forbidden and upstream's wording. Stateless; thread-safe.
/// </summary>
public static class PodPriority
{
    public static readonly GroupResource Pods = new("", "pods");

    public static async Task AdmitAsync(ObjectRegistry objects, JsonObject pod, CancellationToken ct)
    {
        if (pod["spec"] is not JsonObject spec) return;
        var classes = objects.Resources.Find("scheduling.k8s.io", "v1", "priorityclasses");
        if (classes is null) return;
        var name = Obj.Name(pod);
        var className = Obj.Str(spec, "priorityClassName");
        JsonObject? cls = null;
        if (!string.IsNullOrEmpty(className))
        {
            cls = await objects.TryGetAsync(classes, "", className, ct)
                ?? throw StatusException.Forbidden(Pods, name, $"no PriorityClass with name {className} was found");
        }
        else
        {
            var all = await objects.ListAsync(classes, "", new Registry.ListOptions(), ct);
            // Several global defaults cannot be created upstream; take the lowest value if it ever happens.
            cls = all.Items.Where(c => c["globalDefault"]?.GetValue<bool>() == true)
                .OrderBy(c => c["value"]?.GetValue<long>() ?? 0).FirstOrDefault();
            if (cls is not null) spec["priorityClassName"] = Obj.Name(cls);
        }

        var priority = cls?["value"]?.GetValue<int>() ?? 0;
        if (spec["priority"] is JsonValue given && given.GetValue<int>() != priority)
            throw StatusException.Forbidden(Pods, name,
                $"the integer value of priority ({given.GetValue<int>()}) must not be provided in pod spec; priority admission controller computed {priority} from the given PriorityClass name");
        spec["priority"] = priority;

        var policy = Obj.Str(cls, "preemptionPolicy") ?? "PreemptLowerPriority";
        if (Obj.Str(spec, "preemptionPolicy") is { } wanted && wanted != policy && cls is not null && Obj.Str(cls, "preemptionPolicy") is not null)
            throw StatusException.Forbidden(Pods, name,
                $"the string value of PreemptionPolicy ({wanted}) must not be provided in pod spec; priority admission controller computed {policy} from the given PriorityClass name");
        spec["preemptionPolicy"] ??= policy;
    }
}
