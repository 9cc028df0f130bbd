using Skiff.Api.Models;
using Skiff.Api.Quantities;

namespace Skiff.Scheduler.Framework;

/// <summary>
/// Amounts of compute resources as the scheduler counts them: cpu in millicores, memory and
/// ephemeral storage in bytes, a pod count, and scalar resources (extended resources such as
/// example.com/gpu, hugepages) by name. Mutable; not thread-safe (each NodeInfo owns its own).
/// </summary>
public sealed class Resource
{
    public long MilliCpu;
    public long Memory;
    public long EphemeralStorage;
    public long AllowedPods;
    public Dictionary<string, long>? Scalars;

    public const string Cpu = "cpu";
    public const string MemoryName = "memory";
    public const string EphemeralStorageName = "ephemeral-storage";
    public const string Pods = "pods";

    /// <summary>Extended resources (a domain-qualified name), hugepages and other native scalar resources.</summary>
    public static bool IsScalarResourceName(string name) =>
        name.StartsWith("hugepages-", StringComparison.Ordinal) || name.Contains('/');

    public static Resource From(IReadOnlyDictionary<string, Quantity>? list)
    {
        var r = new Resource();
        r.Add(list);
        return r;
    }

    public bool IsZero => MilliCpu == 0 && Memory == 0 && EphemeralStorage == 0 && (Scalars is null || Scalars.Values.All(v => v == 0));

    public void Add(IReadOnlyDictionary<string, Quantity>? list)
    {
        if (list is null) return;
        foreach (var (name, q) in list)
        {
            switch (name)
            {
                case Cpu: MilliCpu += QuantityParser.MilliValue(q); break;
                case MemoryName: Memory += QuantityParser.Value(q); break;
                case EphemeralStorageName: EphemeralStorage += QuantityParser.Value(q); break;
                case Pods: AllowedPods += QuantityParser.Value(q); break;
                default:
                    if (IsScalarResourceName(name)) AddScalar(name, QuantityParser.Value(q));
                    break;
            }
        }
    }

    /// <summary>Raises each resource to at least the amount in <paramref name="list"/> (init containers run one at a time).</summary>
    public void SetMax(Resource other)
    {
        MilliCpu = Math.Max(MilliCpu, other.MilliCpu);
        Memory = Math.Max(Memory, other.Memory);
        EphemeralStorage = Math.Max(EphemeralStorage, other.EphemeralStorage);
        if (other.Scalars is null) return;
        foreach (var (k, v) in other.Scalars) SetScalar(k, Math.Max(GetScalar(k), v));
    }

    public void Add(Resource other, int sign = 1)
    {
        MilliCpu += sign * other.MilliCpu;
        Memory += sign * other.Memory;
        EphemeralStorage += sign * other.EphemeralStorage;
        AllowedPods += sign * other.AllowedPods;
        if (other.Scalars is null) return;
        foreach (var (k, v) in other.Scalars) AddScalar(k, sign * v);
    }

    public long GetScalar(string name) => Scalars is not null && Scalars.TryGetValue(name, out var v) ? v : 0;

    public void AddScalar(string name, long amount) => SetScalar(name, GetScalar(name) + amount);

    public void SetScalar(string name, long amount) => (Scalars ??= new(StringComparer.Ordinal))[name] = amount;

    /// <summary>The amount of a resource by its API name (cpu in millicores).</summary>
    public long Get(string name) => name switch
    {
        Cpu => MilliCpu,
        MemoryName => Memory,
        EphemeralStorageName => EphemeralStorage,
        Pods => AllowedPods,
        _ => GetScalar(name),
    };

    public Resource Clone() => new()
    {
        MilliCpu = MilliCpu,
        Memory = Memory,
        EphemeralStorage = EphemeralStorage,
        AllowedPods = AllowedPods,
        Scalars = Scalars is null ? null : new Dictionary<string, long>(Scalars, StringComparer.Ordinal),
    };

    public override string ToString() =>
        $"cpu={MilliCpu}m memory={Memory} ephemeral-storage={EphemeralStorage} pods={AllowedPods}" +
        (Scalars is null ? "" : " " + string.Join(" ", Scalars.Select(s => $"{s.Key}={s.Value}")));
}
