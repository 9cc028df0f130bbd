namespace Skiff.ApiServer.OpenApi;

/// <summary>Where a parameter travels, with the spelling OpenAPI uses.</summary>
public enum ParameterLocation { Path, Query, Body }

/// <summary>
/// One request parameter. Non-body parameters are primitives ("string", "boolean", "integer");
/// a body parameter names the definition it carries instead.
/// </summary>
public sealed record ParameterSpec(string Name, ParameterLocation In, string? Type, bool Required, string? BodyDefinition = null)
{
    public string InText => In switch
    {
        ParameterLocation.Path => "path",
        ParameterLocation.Query => "query",
        _ => "body",
    };
}

/// <summary>A response by status code: a definition reference, a primitive type, or nothing (401).</summary>
public sealed record ResponseSpec(string Code, string Description, string? Definition = null, string? PrimitiveType = null);

/// <summary>One HTTP method on a path, in the version-neutral shape both writers (v2, v3) render.</summary>
public sealed record OperationSpec(
    string Method,
    string OperationId,
    string Tag,
    IReadOnlyList<string> Consumes,
    IReadOnlyList<string> Produces,
    IReadOnlyList<ParameterSpec> Parameters,
    IReadOnlyList<ResponseSpec> Responses,
    string? Action,
    Skiff.Api.Meta.GroupVersionKind? Gvk);

/// <summary>
/// A path with its operations. <see cref="Parameters"/> holds the parameters every operation
/// shares (hoisted, as upstream does); <see cref="DocumentKey"/> is the OpenAPI v3 document the
/// path belongs to ("api/v1", "apis/apps/v1", "apis/apps", "api", "apis", "version").
/// </summary>
public sealed record PathSpec(string Path, string DocumentKey, IReadOnlyList<ParameterSpec> Parameters, IReadOnlyList<OperationSpec> Operations);
