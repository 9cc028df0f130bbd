using System.Text.Json.Serialization;
using Skiff.Api.Json;

namespace Skiff.Api.Models;

/// <summary>
/// Kubernetes' intstr.IntOrString: a value that is either a 32-bit integer or a string, such as a
/// port (80) or a named port ("http"), or a percentage ("25%"). It remembers which form it was given so
/// that 80 and "80" round-trip exactly as written. Immutable; safe to share between threads.
/// </summary>
[JsonConverter(typeof(IntOrStringConverter))]
public readonly record struct IntOrString
{
    private readonly string? _stringValue;

    private IntOrString(int intValue, string? stringValue)
    {
        IntValue = intValue;
        _stringValue = stringValue;
    }

    /// <summary>True when the value is the string form; false for the integer form.</summary>
    public bool IsString => _stringValue is not null;

    /// <summary>The integer; 0 for the string form.</summary>
    public int IntValue { get; }

    /// <summary>The string; null for the integer form.</summary>
    public string? StringValue => _stringValue;

    public static IntOrString FromInt(int value) => new(value, null);

    public static IntOrString FromString(string value) => new(0, value ?? throw new ArgumentNullException(nameof(value)));

    public static implicit operator IntOrString(int value) => FromInt(value);

    public static implicit operator IntOrString(string value) => FromString(value);

    public override string ToString() => _stringValue ?? IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
