using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.Api.Validation.FieldValidation;
using Skiff.ApiServer.Errors;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.CustomResources;

/// <summary>
/// ?fieldValidation for custom objects: the fields pruning would drop are upstream's unknown fields
/// (400 under Strict, Warning headers under Warn). The pruning itself happens on every write, in
/// <see cref="CustomResourceType.Normalize"/>. Stateless and thread-safe.
/// </summary>
public static class CustomFieldValidation
{
    public static void Check(HttpContext ctx, ServedResource r, CustomResourceType custom, JsonObject body, FieldValidationDirective directive)
    {
        if (directive == FieldValidationDirective.Ignore || custom.Version.Schema is not { } schema) return;
        var findings = SchemaPruner.Prune(body.DeepClone().AsObject(), schema)
            .Take(UnknownFieldChecker.MaxFindings).Select(p => $"unknown field \"{p}\"").ToList();
        if (findings.Count == 0) return;
        if (directive == FieldValidationDirective.Strict)
            throw StatusException.BadRequest(StrictDecodingMessages.BadRequestMessage(r.Kind, r.Version, r.Kind, findings));
        foreach (var f in findings) ctx.Response.Headers.Append("Warning", StrictDecodingMessages.WarningHeaderValue(f));
    }
}
