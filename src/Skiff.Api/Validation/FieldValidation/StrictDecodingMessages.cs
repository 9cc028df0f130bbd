using System.Text;

namespace Skiff.Api.Validation.FieldValidation;

/// <summary>
/// How upstream words the findings of <see cref="UnknownFieldChecker"/>: joined into one 400 BadRequest message for
/// <see cref="FieldValidationDirective.Strict"/>, or one <c>Warning</c> header each for
/// <see cref="FieldValidationDirective.Warn"/>.
/// </summary>
public static class StrictDecodingMessages
{
    /// <summary><c>strict decoding error: unknown field "spec.foo", duplicate field "a"</c> (findings joined by ", ").</summary>
    public static string StrictDecodingError(IReadOnlyList<string> findings)
    {
        var sb = new StringBuilder("strict decoding error: ");
        for (var i = 0; i < findings.Count; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(findings[i]);
        }
        return sb.ToString();
    }

    /// <summary>
    /// The message of the 400 BadRequest Status (reason "BadRequest") for a create or update body refused under
    /// Strict: <c>Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"</c>.
    /// <paramref name="dataKind"/> and <paramref name="dataVersion"/> come from the body (its kind, and the version part
    /// of its apiVersion, defaulted from the URL when absent); <paramref name="objectKind"/> is the kind the endpoint
    /// serves.
    /// </summary>
    public static string BadRequestMessage(string dataKind, string dataVersion, string objectKind, IReadOnlyList<string> findings) =>
        $"{dataKind} in version {GoQuote.Quote(dataVersion)} cannot be handled as a {objectKind}: {StrictDecodingError(findings)}";

    /// <summary>
    /// A <c>Warning</c> response header value for one finding, as upstream's warning recorder writes it:
    /// <c>299 - "unknown field \"spec.foo\""</c> (only <c>"</c> and <c>\</c> are escaped). Upstream drops texts with
    /// control characters and deduplicates identical texts per response; findings are already unique.
    /// </summary>
    public static string WarningHeaderValue(string finding)
    {
        var sb = new StringBuilder(finding.Length + 10);
        sb.Append("299 - \"");
        foreach (var c in finding)
        {
            if (c is '"' or '\\') sb.Append('\\');
            sb.Append(c);
        }
        return sb.Append('"').ToString();
    }
}
