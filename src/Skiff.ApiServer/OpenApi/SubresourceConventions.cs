namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// Facts about particular resources that <see cref="Skiff.Api.Meta.ApiResourceInfo"/> does not
/// carry: the query options of the streaming subresources (log, exec, attach, portforward,
/// proxy), and which kinds answer DELETE with the deleted object rather than a Status.
/// Mirrors upstream 1.36; immutable.
/// </summary>
internal static class SubresourceConventions
{
    private static ParameterSpec Q(string name, string type) => new(name, ParameterLocation.Query, type, false);

    /// <summary>HTTP methods of a connect subresource, by subresource name.</summary>
    public static IReadOnlyList<string> ConnectMethods(string subresource) => subresource switch
    {
        "proxy" => ["delete", "get", "head", "options", "patch", "post", "put"],
        _ => ["get", "post"],
    };

    /// <summary>The query options a connect/log subresource takes (its *Options kind's fields).</summary>
    public static IReadOnlyList<ParameterSpec> ConnectOptions(string subresource) => subresource switch
    {
        "attach" => [Q("container", "string"), Q("stderr", "boolean"), Q("stdin", "boolean"), Q("stdout", "boolean"), Q("tty", "boolean")],
        "exec" => [Q("command", "string"), Q("container", "string"), Q("stderr", "boolean"), Q("stdin", "boolean"), Q("stdout", "boolean"), Q("tty", "boolean")],
        "portforward" => [Q("ports", "integer")],
        "proxy" => [Q("path", "string")],
        "log" =>
        [
            Q("container", "string"), Q("follow", "boolean"), Q("insecureSkipTLSVerifyBackend", "boolean"), Q("limitBytes", "integer"),
            StandardParameters.Pretty, Q("previous", "boolean"), Q("sinceSeconds", "integer"), Q("stream", "string"),
            Q("tailLines", "integer"), Q("timestamps", "boolean"),
        ],
        _ => [],
    };

    /// <summary>True for subresources served as a plain GET that streams text (pods/log).</summary>
    public static bool IsStreamingGet(string subresource) => subresource == "log";

    /// <summary>Proxy subresources also have a ".../proxy/{path}" form.</summary>
    public static bool HasPathSuffix(string subresource) => subresource == "proxy";

    private static readonly HashSet<(string Group, string Resource)> DeleteReturnsObject =
    [
        ("", "pods"), ("", "persistentvolumeclaims"), ("", "persistentvolumes"), ("", "podtemplates"),
        ("", "resourcequotas"), ("", "serviceaccounts"), ("", "services"),
        ("storage.k8s.io", "csidrivers"), ("storage.k8s.io", "csinodes"), ("storage.k8s.io", "storageclasses"),
        ("storage.k8s.io", "volumeattachments"), ("storage.k8s.io", "volumeattributesclasses"),
    ];

    /// <summary>Whether DELETE on one object answers with the object (upstream's ReturnDeletedObject) or a Status.</summary>
    public static bool DeleteReturnsDeletedObject(string group, string resource) =>
        group == "resource.k8s.io" || DeleteReturnsObject.Contains((group, resource));
}
