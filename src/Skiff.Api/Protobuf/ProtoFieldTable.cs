namespace Skiff.Api.Protobuf;

/// <summary>What the OpenAPI schema cannot say about a protobuf field.</summary>
[Flags]
internal enum ProtoFieldFlags
{
    None = 0,
    /// <summary>A Go pointer: present on the wire means set, so a zero value is kept.</summary>
    Pointer = 1,
    /// <summary>A list carried in a wrapper message whose field 1 holds the items (e.g. metav1.Verbs).</summary>
    ListWrapper = 2,
    /// <summary>A metav1.Duration: a message holding int64 nanoseconds, a Go duration string in JSON.</summary>
    Duration = 4,
}

/// <summary>One field of a Kubernetes protobuf message.</summary>
/// <param name="InlineDefinition">For an inlined Go struct, the definition whose fields merge into the parent.</param>
internal sealed record ProtoField(int Number, string JsonName, ProtoFieldFlags Flags, string? InlineDefinition)
{
    public bool IsPointer => (Flags & ProtoFieldFlags.Pointer) != 0;
}

/// <summary>
/// Field numbers of every Kubernetes message Skiff can decode, keyed by OpenAPI definition name
/// ("io.k8s.api.core.v1.ConfigMap"). Parsed once from <see cref="ProtoFieldFacts.Text"/> (its header
/// describes the format); immutable afterwards and thread-safe.
/// </summary>
internal static class ProtoFieldTable
{
    private static readonly Lazy<IReadOnlyDictionary<string, IReadOnlyDictionary<int, ProtoField>>> Table = new(Load);

    public static IReadOnlyDictionary<string, IReadOnlyDictionary<int, ProtoField>> Messages => Table.Value;

    public static IReadOnlyDictionary<int, ProtoField>? Find(string definitionName) =>
        Table.Value.GetValueOrDefault(definitionName);

    private static IReadOnlyDictionary<string, IReadOnlyDictionary<int, ProtoField>> Load()
    {
        return Parse(ProtoFieldFacts.Text);
    }

    /// <summary>Parses the facts format; throws on a malformed line so a typo fails the tests, not a request.</summary>
    internal static Dictionary<string, IReadOnlyDictionary<int, ProtoField>> Parse(string text)
    {
        var messages = new Dictionary<string, IReadOnlyDictionary<int, ProtoField>>(StringComparer.Ordinal);
        string? package = null;
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            if (line[0] == '@')
            {
                package = line[1..];
                continue;
            }
            if (package is null) throw new FormatException($"facts line {lineNumber}: message before any @package line");
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var definition = package + "." + parts[0];
            var fields = new Dictionary<int, ProtoField>();
            foreach (var token in parts.AsSpan(1))
            {
                var field = ParseField(token, package, lineNumber);
                if (!fields.TryAdd(field.Number, field))
                    throw new FormatException($"facts line {lineNumber}: {parts[0]} repeats field number {field.Number}");
            }
            if (!messages.TryAdd(definition, fields))
                throw new FormatException($"facts line {lineNumber}: {definition} is listed twice");
        }
        return messages;
    }

    private static ProtoField ParseField(string token, string package, int lineNumber)
    {
        var eq = token.IndexOf('=');
        if (eq <= 0) throw new FormatException($"facts line {lineNumber}: '{token}' is not name=number");
        var name = token[..eq];
        var rest = token.AsSpan(eq + 1);
        var digits = 0;
        while (digits < rest.Length && char.IsAsciiDigit(rest[digits])) digits++;
        if (digits == 0) throw new FormatException($"facts line {lineNumber}: '{token}' has no field number");
        var number = int.Parse(rest[..digits]);
        var suffix = rest[digits..];
        var flags = ProtoFieldFlags.None;
        string? inline = null;
        if (suffix.Length > 0)
        {
            switch (suffix[0])
            {
                case '*' when suffix.Length == 1: flags = ProtoFieldFlags.Pointer; break;
                case '~' when suffix.Length == 1: flags = ProtoFieldFlags.ListWrapper; break;
                case '%' when suffix is "%d": flags = ProtoFieldFlags.Duration; break;
                case '^' when suffix.Length > 1:
                    var type = suffix[1..].ToString();
                    inline = type.Contains('.') ? type : package + "." + type;
                    break;
                default: throw new FormatException($"facts line {lineNumber}: unknown suffix in '{token}'");
            }
        }
        return new ProtoField(number, name, flags, inline);
    }
}
