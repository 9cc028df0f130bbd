namespace Skiff.ApiServer.OpenApi;

/// <summary>The consumes/produces lists upstream declares per kind of operation.</summary>
internal static class MediaTypes
{
    public static readonly IReadOnlyList<string> Any = ["*/*"];

    public static readonly IReadOnlyList<string> Object =
        ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf", "application/cbor"];

    public static readonly IReadOnlyList<string> ListOrWatch =
    [
        "application/json", "application/yaml", "application/vnd.kubernetes.protobuf", "application/cbor",
        "application/json;stream=watch", "application/vnd.kubernetes.protobuf;stream=watch", "application/cbor-seq",
    ];

    public static readonly IReadOnlyList<string> Patch =
    [
        "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json",
        "application/apply-patch+yaml", "application/apply-patch+cbor",
    ];

    public static readonly IReadOnlyList<string> PatchWithoutStrategic =
    [
        "application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml", "application/apply-patch+cbor",
    ];

    public static readonly IReadOnlyList<string> Log =
        ["text/plain", "application/json", "application/yaml", "application/vnd.kubernetes.protobuf", "application/cbor"];

    /// <summary>/api/, /apis/ and /apis/{group}/.</summary>
    public static readonly IReadOnlyList<string> GroupDiscovery =
        ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"];

    public static readonly IReadOnlyList<string> Json = ["application/json"];
}
