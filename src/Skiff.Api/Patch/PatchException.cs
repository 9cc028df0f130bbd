namespace Skiff.Api.Patch;

/// <summary>A patch that cannot be applied; the API server answers it with 422 or 400 as upstream.</summary>
public sealed class PatchException(string message, bool isInvalid = false) : Exception(message)
{
    /// <summary>True when the patch was well-formed but failed (e.g. a JSON Patch "test"), which
    /// upstream reports as 422 Invalid rather than 400 BadRequest.</summary>
    public bool IsInvalid { get; } = isInvalid;
}
