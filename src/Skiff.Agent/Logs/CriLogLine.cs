using System.Globalization;
using System.Text;

namespace Skiff.Agent.Logs;

/// <summary>
/// One line of a CRI container log file: <c>&lt;RFC3339Nano time&gt; &lt;stdout|stderr&gt; &lt;F|P&gt; &lt;text&gt;</c>.
/// F ends a line of the container's output; P is a piece of a longer line continued by the next entry.
/// <see cref="Timestamp"/> keeps the file's text (nanoseconds and all) for output; <see cref="Time"/> is for comparing.
/// </summary>
public readonly record struct CriLogLine(string Timestamp, DateTimeOffset Time, string Stream, bool Partial, ReadOnlyMemory<byte> Content)
{
    /// <summary>Parses one line without its newline; false for anything not in the CRI format.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> line, out CriLogLine entry)
    {
        entry = default;
        var span = line.Span;
        var s1 = span.IndexOf((byte)' ');
        if (s1 <= 0) return false;
        var timestamp = Encoding.ASCII.GetString(span[..s1]);
        if (!TryParseTime(timestamp, out var time)) return false;
        var rest = span[(s1 + 1)..];
        var s2 = rest.IndexOf((byte)' ');
        if (s2 <= 0) return false;
        var stream = rest[..s2].SequenceEqual("stdout"u8) ? "stdout" : rest[..s2].SequenceEqual("stderr"u8) ? "stderr" : null;
        if (stream is null) return false;
        rest = rest[(s2 + 1)..];
        // The tag is F or P (possibly with more colon-separated tags later); old files may lack it.
        var partial = false;
        var contentStart = s1 + 1 + s2 + 1;
        var s3 = rest.IndexOf((byte)' ');
        var tag = s3 >= 0 ? rest[..s3] : rest;
        if (tag.Length > 0 && (tag[0] == (byte)'F' || tag[0] == (byte)'P') && (tag.Length == 1 || tag[1] == (byte)':'))
        {
            partial = tag[0] == (byte)'P';
            contentStart += s3 >= 0 ? s3 + 1 : rest.Length;
        }
        entry = new CriLogLine(timestamp, time, stream, partial, line[contentStart..]);
        return true;
    }

    private static bool TryParseTime(string text, out DateTimeOffset time)
    {
        // .NET keeps 7 fractional digits; RFC3339Nano has up to 9.
        var trimmed = text;
        var dot = text.IndexOf('.');
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end])) end++;
            if (end - dot - 1 > 7) trimmed = text[..(dot + 8)] + text[end..];
        }
        return DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out time);
    }
}
