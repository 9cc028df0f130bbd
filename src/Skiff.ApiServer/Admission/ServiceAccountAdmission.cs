using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Serialization;

namespace Skiff.ApiServer.Admission;

/// <summary>
/// Upstream's ServiceAccount admission plugin on pod create: the pod runs as "default" unless it names a
/// service account, and, unless automountServiceAccountToken is false (on the pod, else on the account),
/// gets the projected "kube-api-access-xxxxx" volume (a bound token renewed by the kubelet, the cluster CA
/// from kube-root-ca.crt, the namespace) mounted read-only at the well-known path in every container that
/// does not mount something there itself. Stateless; thread-safe.
/// </summary>
public static class ServiceAccountAdmission
{
    public const string MountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
    private const string MirrorAnnotation = "kubernetes.io/config.mirror";
    // Upstream's utilrand alphabet: no vowels (no words), no look-alikes.
    private const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";

    public static async Task AdmitAsync(ObjectRegistry objects, JsonObject pod, CancellationToken ct)
    {
        if (pod["spec"] is not JsonObject spec) return;
        if (pod["metadata"]?["annotations"]?[MirrorAnnotation] is not null) return;
        var account = Obj.Str(spec, "serviceAccountName") is { Length: > 0 } named ? named
            : Obj.Str(spec, "serviceAccount") is { Length: > 0 } old ? old : "default";
        spec["serviceAccountName"] = account;
        spec["serviceAccount"] = account;

        var automount = spec["automountServiceAccountToken"]?.GetValue<bool>();
        if (automount is null && objects.Resources.Find("", "v1", "serviceaccounts") is { } accounts
            && await objects.TryGetAsync(accounts, Obj.Namespace(pod), account, ct) is { } sa)
            automount = sa["automountServiceAccountToken"]?.GetValue<bool>();
        if (automount == false) return;

        var containers = new[] { "initContainers", "containers" }
            .SelectMany(list => spec[list] is JsonArray a ? a.OfType<JsonObject>() : [])
            .Where(c => !(c["volumeMounts"] is JsonArray mounts && mounts.OfType<JsonObject>().Any(m => Obj.Str(m, "mountPath") == MountPath)))
            .ToList();
        if (containers.Count == 0) return;

        var name = "kube-api-access-" + string.Concat(Enumerable.Range(0, 5).Select(_ => Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)]));
        var volumes = spec["volumes"] as JsonArray ?? new JsonArray();
        volumes.Add((JsonNode)ProjectedVolume(name));
        spec["volumes"] = volumes;
        foreach (var c in containers)
        {
            var mounts = c["volumeMounts"] as JsonArray ?? new JsonArray();
            mounts.Add((JsonNode)new JsonObject { ["name"] = name, ["readOnly"] = true, ["mountPath"] = MountPath });
            c["volumeMounts"] = mounts;
        }
    }

    private static JsonObject ProjectedVolume(string name) => new()
    {
        ["name"] = name,
        ["projected"] = new JsonObject
        {
            ["defaultMode"] = 420,
            ["sources"] = new JsonArray(
                new JsonObject { ["serviceAccountToken"] = new JsonObject { ["expirationSeconds"] = 3607, ["path"] = "token" } },
                new JsonObject
                {
                    ["configMap"] = new JsonObject
                    {
                        ["name"] = "kube-root-ca.crt",
                        ["items"] = new JsonArray(new JsonObject { ["key"] = "ca.crt", ["path"] = "ca.crt" }),
                    },
                },
                new JsonObject
                {
                    ["downwardAPI"] = new JsonObject
                    {
                        ["items"] = new JsonArray(new JsonObject
                        {
                            ["fieldRef"] = new JsonObject { ["apiVersion"] = "v1", ["fieldPath"] = "metadata.namespace" },
                            ["path"] = "namespace",
                        }),
                    },
                }),
        },
    };
}
