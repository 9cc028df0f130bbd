using System.Globalization;
using System.Text;

namespace Skiff.Api.Validation.FieldValidation;

/// <summary>
/// Go's <c>strconv.Quote</c> (the <c>%q</c> verb), which upstream uses for the field path in every strict
/// decoding message; the messages must match byte for byte because clients and tests compare them.
/// </summary>
internal static class GoQuote
{
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        Append(sb, s);
        return sb.ToString();
    }

    public static void Append(StringBuilder sb, string s)
    {
        sb.Append('"');
        Span<char> utf16 = stackalloc char[2];
        foreach (var rune in s.EnumerateRunes())
        {
            var v = rune.Value;
            if (v is '"' or '\\')
            {
                sb.Append('\\').Append((char)v);
            }
            else if (IsPrint(rune))
            {
                sb.Append(utf16[..rune.EncodeToUtf16(utf16)]);
            }
            else
            {
                switch (v)
                {
                    case '\a': sb.Append("\\a"); break;
                    case '\b': sb.Append("\\b"); break;
                    case '\f': sb.Append("\\f"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    case '\v': sb.Append("\\v"); break;
                    default:
                        if (v < ' ' || v == 0x7f) sb.Append("\\x").Append(v.ToString("x2", CultureInfo.InvariantCulture));
                        else if (v < 0x10000) sb.Append("\\u").Append(v.ToString("x4", CultureInfo.InvariantCulture));
                        else sb.Append("\\U").Append(v.ToString("x8", CultureInfo.InvariantCulture));
                        break;
                }
            }
        }
        sb.Append('"');
    }

    /// <summary>Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.</summary>
    private static bool IsPrint(Rune rune)
    {
        if (rune.Value == ' ') return true;
        var c = Rune.GetUnicodeCategory(rune);
        return c <= UnicodeCategory.OtherNumber
            || c is >= UnicodeCategory.ConnectorPunctuation and <= UnicodeCategory.OtherSymbol;
    }
}
