namespace Skiff.Api.Validation;

/// <summary>The kinds of field error upstream reports; <see cref="FieldError.Reason"/> is the
/// StatusCause reason string ("FieldValueInvalid", ...).</summary>
public enum FieldErrorType { Required, Invalid, Duplicate, NotSupported, Forbidden, TooLong, TooMany, NotFound, TypeInvalid }

/// <summary>One validation failure at a field path such as "metadata.name" or
/// "spec.template.spec.containers[0].image". A list of these becomes one 422 Invalid Status.</summary>
public sealed record FieldError(FieldErrorType Type, string Field, object? BadValue, string Detail)
{
    public string Reason => "Field" + Type switch
    {
        FieldErrorType.Required => "ValueRequired",
        FieldErrorType.Invalid => "ValueInvalid",
        FieldErrorType.Duplicate => "ValueDuplicate",
        FieldErrorType.NotSupported => "ValueNotSupported",
        FieldErrorType.Forbidden => "ValueForbidden",
        FieldErrorType.TooLong => "ValueTooLong",
        FieldErrorType.TooMany => "ValueTooMany",
        FieldErrorType.NotFound => "ValueNotFound",
        FieldErrorType.TypeInvalid => "ValueTypeInvalid",
        _ => "ValueInvalid",
    };

    /// <summary>The message form upstream uses inside a Status message and cause:
    /// e.g. <c>metadata.name: Invalid value: "Foo": a lowercase RFC 1123 subdomain must ...</c></summary>
    public string Message
    {
        get
        {
            var head = Type switch
            {
                FieldErrorType.Required => "Required value",
                FieldErrorType.Invalid => "Invalid value",
                FieldErrorType.Duplicate => "Duplicate value",
                FieldErrorType.NotSupported => "Unsupported value",
                FieldErrorType.Forbidden => "Forbidden",
                FieldErrorType.TooLong => "Too long",
                FieldErrorType.TooMany => "Too many",
                FieldErrorType.NotFound => "Not found",
                _ => "Invalid value",
            };
            var withValue = Type is FieldErrorType.Invalid or FieldErrorType.Duplicate or FieldErrorType.NotSupported or FieldErrorType.NotFound
                or FieldErrorType.TypeInvalid or FieldErrorType.TooMany;
            if (withValue && BadValue is not null)
                head += ": " + FormatValue(BadValue);
            return Detail.Length == 0 ? head : $"{head}: {Detail}";
        }
    }

    private static string FormatValue(object v) => v switch
    {
        string s => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"",
        bool b => b ? "true" : "false",
        _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}

/// <summary>A bad value printed as-is (e.g. Go's <c>[]string{"10.43.0.1"}</c>), not quoted like a string.</summary>
public sealed record LiteralValue(string Text)
{
    public override string ToString() => Text;
}
