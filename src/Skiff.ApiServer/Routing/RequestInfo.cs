namespace Skiff.ApiServer.Routing;

/// <summary>
/// What a request path and method ask for, parsed as upstream's RequestInfoFactory does:
/// /api/v1/namespaces/ns/pods/name/log, /apis/apps/v1/deployments, /apis/apps/v1/watch/...
/// </summary>
public sealed record RequestInfo
{
    public bool IsResourceRequest { get; init; }
    /// <summary>get, list, watch, create, update, patch, delete, deletecollection, or the
    /// lower-case HTTP method for non-resource requests.</summary>
    public string Verb { get; init; } = "";
    public string Path { get; init; } = "";
    /// <summary>"api" or "apis".</summary>
    public string ApiPrefix { get; init; } = "";
    public string Group { get; init; } = "";
    public string Version { get; init; } = "";
    public string Namespace { get; init; } = "";
    public string Resource { get; init; } = "";
    public string Subresource { get; init; } = "";
    public string Name { get; init; } = "";
    /// <summary>Path segments after the subresource (pods/x/proxy/a/b → a/b).</summary>
    public string Rest { get; init; } = "";

    public static RequestInfo Parse(string method, string path, bool watchQuery)
    {
        var info = new RequestInfo { Path = path, Verb = method.ToLowerInvariant() };
        var parts = path.Trim('/').Split('/');
        if (parts.Length < 2) return info;
        int i;
        string group = "", version;
        if (parts[0] == "api")
        {
            version = parts[1];
            i = 2;
        }
        else if (parts[0] == "apis")
        {
            if (parts.Length < 3) return info with { ApiPrefix = "apis", Group = parts[1] };
            group = parts[1];
            version = parts[2];
            i = 3;
        }
        else return info;

        info = info with { ApiPrefix = parts[0], Group = group, Version = version };
        if (i >= parts.Length) return info;

        var legacyWatch = false;
        if (parts[i] == "watch")
        {
            legacyWatch = true;
            i++;
            if (i >= parts.Length) return info;
        }

        string ns = "", resource, name = "", sub = "", rest = "";
        var seg = parts[i..];
        if (seg[0] == "namespaces")
        {
            if (seg.Length >= 3)
            {
                ns = seg[1];
                resource = seg[2];
                if (seg.Length > 3) name = seg[3];
                if (seg.Length > 4) sub = seg[4];
                if (seg.Length > 5) rest = string.Join('/', seg[5..]);
            }
            else
            {
                resource = "namespaces";
                if (seg.Length == 2) name = seg[1];
            }
        }
        else
        {
            resource = seg[0];
            if (seg.Length > 1) name = seg[1];
            if (seg.Length > 2) sub = seg[2];
            if (seg.Length > 3) rest = string.Join('/', seg[3..]);
        }
        // namespaces/{name}/status and namespaces/{name}/finalize are subresources of the namespace itself.
        if (seg[0] == "namespaces" && seg.Length == 3 && seg[2] is "status" or "finalize")
        {
            resource = "namespaces"; name = ns; sub = seg[2]; ns = "";
        }

        var verb = method switch
        {
            "GET" or "HEAD" => name.Length == 0 ? "list" : "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => name.Length == 0 ? "deletecollection" : "delete",
            _ => method.ToLowerInvariant(),
        };
        if (verb is "list" or "get" && (legacyWatch || watchQuery) && sub.Length == 0)
            verb = "watch";

        return info with
        {
            IsResourceRequest = true,
            Verb = verb,
            Namespace = ns,
            Resource = resource,
            Name = name,
            Subresource = sub,
            Rest = rest,
        };
    }
}
