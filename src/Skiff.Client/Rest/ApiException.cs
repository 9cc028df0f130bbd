using System.Net;
using Skiff.Api.Models.Meta.V1;

namespace Skiff.Client.Rest;

/// <summary>
/// A request the API server refused: carries the Kubernetes <see cref="Status"/> it answered with
/// (or one synthesized from the HTTP status when the body was not a Status). Immutable; safe from any thread.
/// </summary>
public sealed class ApiException : Exception
{
    public ApiException(Status status, string? verbAndPath = null)
        : base(FormatMessage(status, verbAndPath))
    {
        Status = status;
    }

    /// <summary>The Status object from the server.</summary>
    public Status Status { get; }

    /// <summary>The HTTP status code, e.g. 404, 409, 410.</summary>
    public int Code => Status.Code ?? 0;

    /// <summary>The machine-readable reason, e.g. "NotFound", "AlreadyExists", "Conflict", "Expired"; "" when absent.</summary>
    public string Reason => Status.Reason ?? "";

    public bool IsNotFound => Code == (int)HttpStatusCode.NotFound;
    public bool IsConflict => Code == (int)HttpStatusCode.Conflict;
    public bool IsAlreadyExists => Reason == "AlreadyExists";
    /// <summary>410 Gone: the requested resourceVersion is older than the server keeps (relist).</summary>
    public bool IsGone => Code == (int)HttpStatusCode.Gone || Reason is "Expired" or "Gone";

    internal static Status FromCode(int code, string message) => new()
    {
        Kind = "Status",
        ApiVersion = "v1",
        StatusValue = "Failure",
        Code = code,
        Message = message,
        Reason = code switch
        {
            400 => "BadRequest",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "NotFound",
            405 => "MethodNotAllowed",
            409 => "Conflict",
            410 => "Expired",
            422 => "Invalid",
            429 => "TooManyRequests",
            500 => "InternalError",
            503 => "ServiceUnavailable",
            504 => "Timeout",
            _ => "Unknown",
        },
    };

    private static string FormatMessage(Status status, string? verbAndPath) =>
        $"{(verbAndPath is null ? "" : verbAndPath + ": ")}{status.Code} {status.Reason}: {status.Message}";
}
