namespace Skiff.Api.Meta;

/// <summary>
/// One resource (or subresource) that an API server serves in one group/version, as derived
/// from the OpenAPI document's paths by ModelGen (see <see cref="BuiltinResources"/>).
/// </summary>
/// <param name="Resource">The plural resource name, e.g. "deployments".</param>
/// <param name="Subresource">e.g. "status", "scale", "log"; null for the resource itself.</param>
/// <param name="Kind">The kind the endpoint accepts/returns (for "deployments/scale": Scale).</param>
/// <param name="KindGroup">The group of <paramref name="Kind"/> where it differs from the resource's
/// group (deployments/scale is autoscaling/v1 Scale); otherwise equal to Group.</param>
/// <param name="KindVersion">The version of <paramref name="Kind"/>.</param>
/// <param name="Verbs">Discovery verbs, sorted: create, delete, deletecollection, get, list, patch, update, watch
/// (subresources: only the ones their paths allow, e.g. get, patch, update).</param>
/// <param name="Definition">The OpenAPI definition name of the kind, e.g. "io.k8s.api.apps.v1.Deployment";
/// null for connect-only subresources (exec, attach, portforward, proxy, log).</param>
public sealed record ApiResourceInfo(
    string Group,
    string Version,
    string Resource,
    string? Subresource,
    string Kind,
    string KindGroup,
    string KindVersion,
    bool Namespaced,
    IReadOnlyList<string> Verbs,
    string? Definition)
{
    public GroupVersion GroupVersion => new(Group, Version);
    public GroupResource GroupResource => new(Group, Resource);
    /// <summary>"deployments" or "deployments/status".</summary>
    public string Name => Subresource is null ? Resource : $"{Resource}/{Subresource}";
}
