using Skiff.Api.Models.Core.V1;
using Skiff.Client.Typed;

namespace Skiff.Client.Informers;

/// <summary>The index functions components share, and their index names. Stateless; thread-safe.</summary>
public static class Indexers
{
    public const string Namespace = "namespace";
    public const string OwnerUid = "ownerUid";
    public const string NodeName = "spec.nodeName";

    /// <summary>metadata.namespace (cluster-scoped objects: none).</summary>
    public static IndexFunc<T> ByNamespace<T>(IObjectCodec<T> codec) where T : class =>
        o => codec.Namespace(o) is { Length: > 0 } ns ? [ns] : [];

    /// <summary>Every metadata.ownerReferences[].uid: "which objects does this owner own".</summary>
    public static IndexFunc<T> ByOwnerUid<T>(IObjectCodec<T> codec) where T : class => codec.OwnerUids;

    /// <summary>A pod's spec.nodeName (unscheduled pods: none).</summary>
    public static IEnumerable<string> PodNodeName(Pod pod) =>
        pod.Spec?.NodeName is { Length: > 0 } node ? [node] : [];
}
