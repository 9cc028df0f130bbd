namespace Skiff.Storage.LogStructured;

/// <summary>Turns a key prefix into the half-open range [Start, End) that the drivers query.</summary>
public static class KeyRange
{
    /// <summary>Above every key: U+10FFFF is the largest code point, so its UTF-8 form sorts last.</summary>
    public const string Infinity = "\U0010FFFF";

    public static string EndOf(string prefix)
    {
        // Bumping the last character gives the first string that no longer has the prefix.
        var chars = prefix.ToCharArray();
        for (var i = chars.Length - 1; i >= 0; i--)
        {
            if (chars[i] < char.MaxValue && !char.IsSurrogate(chars[i]))
            {
                chars[i]++;
                return new string(chars, 0, i + 1);
            }
        }
        return Infinity;
    }

    /// <summary>The start of a listing: <paramref name="startKey"/> when it lies after the prefix's first key.</summary>
    public static string StartOf(string prefix, string? startKey) =>
        startKey is not null && string.CompareOrdinal(startKey, prefix) > 0 ? startKey : prefix;
}
