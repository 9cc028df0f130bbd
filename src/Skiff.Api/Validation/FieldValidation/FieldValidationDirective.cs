namespace Skiff.Api.Validation.FieldValidation;

/// <summary>
/// What the API server does with unknown and duplicate fields in a create, update or patch body
/// (the <c>fieldValidation</c> query parameter, KEP-2885).
/// </summary>
public enum FieldValidationDirective
{
    /// <summary>Drop unknown fields silently, as before server-side field validation existed.</summary>
    Ignore,
    /// <summary>Drop unknown fields and say so in one <c>Warning</c> response header per finding.</summary>
    Warn,
    /// <summary>Refuse the request with 400 BadRequest listing every finding.</summary>
    Strict,
}

/// <summary>Reads the <c>fieldValidation</c> query value the way upstream's request options do.</summary>
public static class FieldValidationDirectives
{
    /// <summary>The "supported values" detail upstream prints: its allowed set includes the empty
    /// string (absent parameter) and is listed sorted.</summary>
    public const string SupportedValuesDetail = "supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"";

    /// <summary>
    /// Parses the first <c>fieldValidation</c> query value. Absent or empty means <see cref="FieldValidationDirective.Warn"/>
    /// (upstream's default since the feature went GA). Values are case-sensitive, as upstream. An unsupported value
    /// yields the field error upstream reports; the caller turns it into a 422 Invalid Status for the options kind of
    /// the verb (<see cref="OptionsKind"/>, group "meta.k8s.io", empty name), e.g.
    /// <c>CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "foo": supported values: "", "Ignore", "Strict", "Warn"</c>.
    /// </summary>
    public static bool TryParse(string? value, out FieldValidationDirective directive, out FieldError? error)
    {
        error = null;
        switch (value)
        {
            case null or "":
            case "Warn":
                directive = FieldValidationDirective.Warn;
                return true;
            case "Strict":
                directive = FieldValidationDirective.Strict;
                return true;
            case "Ignore":
                directive = FieldValidationDirective.Ignore;
                return true;
            default:
                directive = FieldValidationDirective.Warn;
                error = new FieldError(FieldErrorType.NotSupported, "fieldValidation", value, SupportedValuesDetail);
                return false;
        }
    }

    /// <summary>The options kind upstream names in the 422 for a bad value: "CreateOptions" for POST,
    /// "UpdateOptions" for PUT, "PatchOptions" for PATCH.</summary>
    public static string OptionsKind(string httpMethod) => httpMethod.ToUpperInvariant() switch
    {
        "POST" => "CreateOptions",
        "PUT" => "UpdateOptions",
        "PATCH" => "PatchOptions",
        _ => "CreateOptions",
    };
}
