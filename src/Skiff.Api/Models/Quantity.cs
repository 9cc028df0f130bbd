using System.Text.Json.Serialization;
using Skiff.Api.Json;

namespace Skiff.Api.Models;

/// <summary>
/// Kubernetes' resource.Quantity ("500m", "1Gi", "2"), kept as the exact text it was given so it
/// round-trips byte for byte. Arithmetic and canonical forms belong to a separate parser; this type only
/// carries the value. Immutable; safe to share between threads.
/// </summary>
[JsonConverter(typeof(QuantityConverter))]
public readonly record struct Quantity(string Value)
{
    public static implicit operator Quantity(string value) => new(value);

    public override string ToString() => Value ?? "";
}
