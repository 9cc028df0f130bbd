using Skiff.Api.Validation;
using Skiff.Api.Validation.FieldValidation;

namespace Skiff.Api.Tests.FieldValidation;

public class FieldValidationDirectiveTests
{
    [Theory]
    [InlineData(null, FieldValidationDirective.Warn)]
    [InlineData("", FieldValidationDirective.Warn)]
    [InlineData("Warn", FieldValidationDirective.Warn)]
    [InlineData("Strict", FieldValidationDirective.Strict)]
    [InlineData("Ignore", FieldValidationDirective.Ignore)]
    public void Supported_values_and_the_absent_default(string? value, FieldValidationDirective expected)
    {
        Assert.True(FieldValidationDirectives.TryParse(value, out var directive, out var error));
        Assert.Equal(expected, directive);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("strict")]
    [InlineData("STRICT")]
    [InlineData("foo")]
    public void Other_values_are_unsupported_with_upstreams_wording(string value)
    {
        Assert.False(FieldValidationDirectives.TryParse(value, out _, out var error));
        Assert.NotNull(error);
        Assert.Equal(FieldErrorType.NotSupported, error.Type);
        Assert.Equal("fieldValidation", error.Field);
        Assert.Equal("FieldValueNotSupported", error.Reason);
        Assert.Equal($"Unsupported value: \"{value}\": supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"", error.Message);
    }

    [Theory]
    [InlineData("POST", "CreateOptions")]
    [InlineData("PUT", "UpdateOptions")]
    [InlineData("patch", "PatchOptions")]
    public void Options_kind_follows_the_verb(string method, string kind) =>
        Assert.Equal(kind, FieldValidationDirectives.OptionsKind(method));
}
