using System.Text.Json;
using Skiff.Api.Meta;
using Skiff.Api.Validation;

namespace Skiff.ApiServer.Errors;

/// <summary>One cause of a failure, as in metav1.StatusCause.</summary>
public sealed record StatusCause(string? Reason, string? Message, string? Field);

/// <summary>
/// A request failure that becomes a metav1.Status response with upstream's code, reason and
/// message. Thrown only at the HTTP boundary's edge (handlers), caught once by the pipeline.
/// </summary>
public sealed class StatusException(int code, string reason, string message) : Exception(message)
{
    public int Code { get; } = code;
    public string Reason { get; } = reason;
    /// <summary>details.name</summary>
    public string? Name { get; init; }
    /// <summary>details.group</summary>
    public string? Group { get; init; }
    /// <summary>details.kind: the resource (e.g. "deployments") as upstream fills it.</summary>
    public string? Kind { get; init; }
    public IReadOnlyList<StatusCause>? Causes { get; init; }
    public int? RetryAfterSeconds { get; init; }

    public static StatusException NotFound(GroupResource gr, string name) =>
        new(404, "NotFound", $"{gr} \"{name}\" not found") { Name = name, Group = gr.Group, Kind = gr.Resource };

    public static StatusException AlreadyExists(GroupResource gr, string name) =>
        new(409, "AlreadyExists", $"{gr} \"{name}\" already exists") { Name = name, Group = gr.Group, Kind = gr.Resource };

    public static StatusException Conflict(GroupResource gr, string name, string detail) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {gr} \"{name}\": {detail}") { Name = name, Group = gr.Group, Kind = gr.Resource };

    public const string StaleObjectMessage = "the object has been modified; please apply your changes to the latest version and try again";

    public static StatusException Invalid(string group, string kind, string name, IReadOnlyList<FieldError> errors)
    {
        var gk = group.Length == 0 ? kind : $"{kind}.{group}";
        var list = errors.Count == 1 ? errors[0].Field + ": " + errors[0].Message
            : "[" + string.Join(", ", errors.Select(e => e.Field + ": " + e.Message)) + "]";
        return new StatusException(422, "Invalid", $"{gk} \"{name}\" is invalid: {list}")
        {
            Name = name, Group = group, Kind = kind,
            Causes = errors.Select(e => new StatusCause(e.Reason, e.Message, e.Field)).ToList(),
        };
    }

    public static StatusException BadRequest(string message) => new(400, "BadRequest", message);

    public static StatusException MethodNotAllowed(string message) => new(405, "MethodNotAllowed", message);

    public static StatusException Gone(string message) => new(410, "Expired", message);

    public static StatusException Forbidden(GroupResource gr, string name, string message) =>
        new(403, "Forbidden", $"{gr} \"{name}\" is forbidden: {message}") { Name = name, Group = gr.Group, Kind = gr.Resource };

    public static StatusException Unauthorized() => new(401, "Unauthorized", "Unauthorized");

    public static StatusException NotAcceptable(string message) => new(406, "NotAcceptable", message);

    public static StatusException UnsupportedMediaType(string contentType) =>
        new(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf");

    public static StatusException TooLarge(long limit) =>
        new(413, "RequestEntityTooLarge", $"Request entity too large: limit is {limit}");

    public static StatusException Internal(string message) => new(500, "InternalError", $"Internal error occurred: {message}");

    public static StatusException Timeout(string message) => new(504, "Timeout", message);

    public static StatusException PageNotFound() => new(404, "NotFound", "the server could not find the requested resource");

    /// <summary>Writes the metav1.Status body.</summary>
    public void WriteTo(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("kind", "Status");
        w.WriteString("apiVersion", "v1");
        w.WriteStartObject("metadata");
        w.WriteEndObject();
        w.WriteString("status", "Failure");
        w.WriteString("message", Message);
        w.WriteString("reason", Reason);
        if (Name is not null || Kind is not null || Causes is { Count: > 0 } || RetryAfterSeconds is not null)
        {
            w.WriteStartObject("details");
            if (Name is not null) w.WriteString("name", Name);
            if (!string.IsNullOrEmpty(Group)) w.WriteString("group", Group);
            if (Kind is not null) w.WriteString("kind", Kind);
            if (Causes is { Count: > 0 })
            {
                w.WriteStartArray("causes");
                foreach (var c in Causes)
                {
                    w.WriteStartObject();
                    if (c.Reason is not null) w.WriteString("reason", c.Reason);
                    if (c.Message is not null) w.WriteString("message", c.Message);
                    if (c.Field is not null) w.WriteString("field", c.Field);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (RetryAfterSeconds is { } r) w.WriteNumber("retryAfterSeconds", r);
            w.WriteEndObject();
        }
        w.WriteNumber("code", Code);
        w.WriteEndObject();
    }
}
