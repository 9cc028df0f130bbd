namespace Skiff.Api.Patch;

/// <summary>
/// The keys and values a strategic merge patch uses to say more than "merge this": <c>$patch</c>,
/// <c>$retainKeys</c>, and the parallel lists <c>$setElementOrder/&lt;field&gt;</c> and
/// <c>$deleteFromPrimitiveList/&lt;field&gt;</c>. Any other key starting with <c>$</c> is an ordinary field, as
/// upstream treats it (JSON schema documents inside objects legitimately hold <c>$ref</c> and <c>$schema</c>).
/// </summary>
internal static class StrategicDirectives
{
    public const string Patch = "$patch";
    public const string Delete = "delete";
    public const string Replace = "replace";
    public const string Merge = "merge";
    public const string RetainKeys = "$retainKeys";
    public const string RetainKeysStrategy = "retainKeys";
    public const string DeleteFromPrimitiveList = "$deleteFromPrimitiveList";
    public const string SetElementOrder = "$setElementOrder";

    /// <summary>True when <paramref name="key"/> is a parallel-list key of the given prefix, with the field it
    /// names in <paramref name="field"/>. A key that starts with the prefix but is not "prefix/field" is a
    /// malformed patch (400), as upstream.</summary>
    public static bool TryParallelList(string key, string prefix, out string field)
    {
        field = "";
        if (!key.StartsWith(prefix, StringComparison.Ordinal)) return false;
        var slash = key.IndexOf('/');
        if (slash != prefix.Length)
            throw prefix == SetElementOrder ? StrategicErrors.BadSetElementOrderFormat() : StrategicErrors.BadPrimitiveListFormat();
        field = key[(slash + 1)..];
        return true;
    }

    /// <summary>Keys the <c>$retainKeys</c> check skips: they address a list, not a field of the map.</summary>
    public static bool IsParallelListKey(string key) =>
        key.StartsWith(DeleteFromPrimitiveList, StringComparison.Ordinal) || key.StartsWith(SetElementOrder, StringComparison.Ordinal);
}
