namespace Skiff.Api.Meta;

/// <summary>An API group and version; the core group is the empty string.</summary>
public readonly record struct GroupVersion(string Group, string Version)
{
    /// <summary>The apiVersion string: "v1" for core, otherwise "group/version".</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public static GroupVersion Parse(string apiVersion)
    {
        var slash = apiVersion.IndexOf('/');
        return slash < 0 ? new("", apiVersion) : new(apiVersion[..slash], apiVersion[(slash + 1)..]);
    }

    public override string ToString() => ApiVersion;
}

public readonly record struct GroupVersionKind(string Group, string Version, string Kind)
{
    public GroupVersion GroupVersion => new(Group, Version);
    public override string ToString() => $"{GroupVersion.ApiVersion}, Kind={Kind}";
}

public readonly record struct GroupVersionResource(string Group, string Version, string Resource)
{
    public GroupVersion GroupVersion => new(Group, Version);
    public override string ToString() => $"{GroupVersion.ApiVersion}, Resource={Resource}";
}

/// <summary>A resource irrespective of version: what storage is keyed by.</summary>
public readonly record struct GroupResource(string Group, string Resource)
{
    /// <summary>"deployments.apps", or "pods" for core: the form upstream uses in messages.</summary>
    public override string ToString() => Group.Length == 0 ? Resource : $"{Resource}.{Group}";
}
