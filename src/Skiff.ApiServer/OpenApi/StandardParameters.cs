namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// The query and path parameters the generic REST handler accepts, grouped by action exactly as
/// upstream's installer declares them (names, types, and which action takes which). Immutable.
/// </summary>
internal static class StandardParameters
{
    private static ParameterSpec Query(string name, string type) => new(name, ParameterLocation.Query, type, false);

    public static readonly ParameterSpec Name = new("name", ParameterLocation.Path, "string", true);
    public static readonly ParameterSpec Namespace = new("namespace", ParameterLocation.Path, "string", true);
    public static readonly ParameterSpec PathSegment = new("path", ParameterLocation.Path, "string", true);

    public static readonly ParameterSpec Pretty = Query("pretty", "string");
    public static readonly ParameterSpec DryRun = Query("dryRun", "string");
    public static readonly ParameterSpec FieldManager = Query("fieldManager", "string");
    public static readonly ParameterSpec FieldValidation = Query("fieldValidation", "string");
    public static readonly ParameterSpec Force = Query("force", "boolean");
    public static readonly ParameterSpec GracePeriodSeconds = Query("gracePeriodSeconds", "integer");
    public static readonly ParameterSpec IgnoreStoreReadError = Query("ignoreStoreReadErrorWithClusterBreakingPotential", "boolean");
    public static readonly ParameterSpec OrphanDependents = Query("orphanDependents", "boolean");
    public static readonly ParameterSpec PropagationPolicy = Query("propagationPolicy", "string");

    public static readonly ParameterSpec AllowWatchBookmarks = Query("allowWatchBookmarks", "boolean");
    public static readonly ParameterSpec Continue = Query("continue", "string");
    public static readonly ParameterSpec FieldSelector = Query("fieldSelector", "string");
    public static readonly ParameterSpec LabelSelector = Query("labelSelector", "string");
    public static readonly ParameterSpec Limit = Query("limit", "integer");
    public static readonly ParameterSpec ResourceVersion = Query("resourceVersion", "string");
    public static readonly ParameterSpec ResourceVersionMatch = Query("resourceVersionMatch", "string");
    public static readonly ParameterSpec SendInitialEvents = Query("sendInitialEvents", "boolean");
    public static readonly ParameterSpec ShardSelector = Query("shardSelector", "string");
    public static readonly ParameterSpec TimeoutSeconds = Query("timeoutSeconds", "integer");
    public static readonly ParameterSpec Watch = Query("watch", "boolean");

    public const string DeleteOptionsDefinition = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";
    public const string PatchDefinition = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";

    /// <summary>list, watch and watchlist: the ListOptions fields.</summary>
    public static readonly IReadOnlyList<ParameterSpec> ListOptions =
    [
        AllowWatchBookmarks, Continue, FieldSelector, LabelSelector, Limit, Pretty,
        ResourceVersion, ResourceVersionMatch, SendInitialEvents, ShardSelector, TimeoutSeconds, Watch,
    ];

    public static IReadOnlyList<ParameterSpec> Patch() =>
        [Body(PatchDefinition, required: true), DryRun, FieldManager, FieldValidation, Force, Pretty];

    public static IReadOnlyList<ParameterSpec> Delete() =>
        [Body(DeleteOptionsDefinition, required: false), DryRun, GracePeriodSeconds, IgnoreStoreReadError, OrphanDependents, PropagationPolicy, Pretty];

    public static IReadOnlyList<ParameterSpec> DeleteCollection() =>
    [
        Body(DeleteOptionsDefinition, required: false), Continue, DryRun, FieldSelector, GracePeriodSeconds, IgnoreStoreReadError,
        LabelSelector, Limit, OrphanDependents, PropagationPolicy, Pretty, ResourceVersion, ResourceVersionMatch,
        SendInitialEvents, ShardSelector, TimeoutSeconds,
    ];

    public static ParameterSpec Body(string? definition, bool required) =>
        new("body", ParameterLocation.Body, null, required, definition);
}
