using System.Text.Json.Nodes;
using static Skiff.Api.Defaulting.JsonFields;

namespace Skiff.Api.Defaulting;

/// <summary>
/// Defaults of a core/v1 PodSpec, wherever it appears (a Pod or any pod template), and the few that
/// upstream applies to Pods alone. Pod-only defaults are kept out of templates on purpose: upstream
/// adds them in SetDefaults_Pod so that they never show up in (or churn) workload templates.
/// </summary>
internal static class PodSpecDefaults
{
    public const string DefaultServiceAccount = "default";

    /// <summary>Defaults of a pod template's spec (Deployment, Job, PodTemplate, ...).</summary>
    public static void ApplyTemplate(JsonObject? template)
    {
        if (template is null) return;
        // PodTemplateSpec's metadata and spec are struct values upstream, always on the wire (since
        // 1.33 an empty ObjectMeta is {} rather than {creationTimestamp: null}); the spec is defaulted.
        Ensure(template, "metadata");
        ApplySpec(Ensure(template, "spec"));
    }

    /// <summary>Defaults of a Pod: everything a template gets, plus SetDefaults_Pod and the
    /// ServiceAccount admission plugin's default account name.</summary>
    public static void ApplyPod(JsonObject pod)
    {
        var spec = Ensure(pod, "spec");
        foreach (var container in Items(spec, "containers").Concat(Items(spec, "initContainers")))
            DefaultRequestsFromLimits(container);
        DefaultPointer(spec, "enableServiceLinks", true);
        if (IsTrue(spec, "hostNetwork"))
        {
            foreach (var container in Items(spec, "containers").Concat(Items(spec, "initContainers")))
                foreach (var port in Items(container, "ports"))
                    if ((port["hostPort"] is null || IsZeroNumber(port["hostPort"])) && port["containerPort"] is { } containerPort)
                        port["hostPort"] = containerPort.DeepClone();
        }
        // Upstream this is the ServiceAccount admission plugin, not scheme defaulting; it runs on
        // every Pod create, so `kubectl get pod -o yaml` always shows it.
        if (IsEmptyString(spec["serviceAccountName"]) && IsEmptyString(spec["serviceAccount"]))
            spec["serviceAccountName"] = DefaultServiceAccount;
        ApplySpec(spec);
    }

    private static void ApplySpec(JsonObject spec)
    {
        DefaultString(spec, "dnsPolicy", "ClusterFirst");
        DefaultString(spec, "restartPolicy", "Always");
        DefaultPointer(spec, "securityContext", new JsonObject());
        DefaultPointer(spec, "terminationGracePeriodSeconds", 30);
        DefaultString(spec, "schedulerName", "default-scheduler");
        SyncServiceAccountAlias(spec);

        foreach (var volume in Items(spec, "volumes")) ApplyVolume(volume);
        foreach (var container in Items(spec, "initContainers")) ApplyContainer(container);
        foreach (var container in Items(spec, "containers")) ApplyContainer(container);
        foreach (var container in Items(spec, "ephemeralContainers")) ApplyContainer(container);
    }

    // v1's deprecated serviceAccount is an alias that conversion keeps equal to serviceAccountName
    // (the new name wins when both are given), so every v1 read shows both or neither.
    private static void SyncServiceAccountAlias(JsonObject spec)
    {
        if (IsEmptyString(spec["serviceAccountName"]))
        {
            if (IsEmptyString(spec["serviceAccount"])) return;
            spec["serviceAccountName"] = spec["serviceAccount"]!.DeepClone();
        }
        spec["serviceAccount"] = spec["serviceAccountName"]!.DeepClone();
    }

    private static void DefaultRequestsFromLimits(JsonObject container)
    {
        if (Child(container, "resources") is not { } resources || resources["limits"] is not JsonObject limits) return;
        // Only touch requests when something is copied: upstream's empty map would be omitted on the wire.
        foreach (var (name, quantity) in limits)
        {
            var requests = Ensure(resources, "requests");
            if (!requests.ContainsKey(name)) requests[name] = quantity?.DeepClone();
        }
    }

    private static void ApplyContainer(JsonObject container)
    {
        if (IsEmptyString(container["imagePullPolicy"]))
            container["imagePullPolicy"] = ImagePullPolicy.For(String(container, "image"));
        DefaultString(container, "terminationMessagePath", "/dev/termination-log");
        DefaultString(container, "terminationMessagePolicy", "File");
        // ResourceRequirements is a struct value in Container, so upstream always writes it.
        DefaultPointer(container, "resources", new JsonObject());
        foreach (var port in Items(container, "ports")) DefaultString(port, "protocol", "TCP");
        foreach (var env in Items(container, "env")) ApplyFieldRef(Child(env, "valueFrom", "fieldRef"));
        ApplyProbe(Child(container, "livenessProbe"));
        ApplyProbe(Child(container, "readinessProbe"));
        ApplyProbe(Child(container, "startupProbe"));
        ApplyHttpGet(Child(container, "lifecycle", "postStart"));
        ApplyHttpGet(Child(container, "lifecycle", "preStop"));
    }

    private static void ApplyProbe(JsonObject? probe)
    {
        if (probe is null) return;
        DefaultNonZero(probe, "timeoutSeconds", 1);
        DefaultNonZero(probe, "periodSeconds", 10);
        DefaultNonZero(probe, "successThreshold", 1);
        DefaultNonZero(probe, "failureThreshold", 3);
        ApplyHttpGet(probe);
        if (Child(probe, "grpc") is { } grpc) DefaultPointer(grpc, "service", "");
    }

    /// <summary>Defaults the httpGet action of a probe or lifecycle handler.</summary>
    private static void ApplyHttpGet(JsonObject? handler)
    {
        if (Child(handler, "httpGet") is not { } httpGet) return;
        DefaultString(httpGet, "path", "/");
        DefaultString(httpGet, "scheme", "HTTP");
    }

    private static void ApplyFieldRef(JsonObject? fieldRef)
    {
        if (fieldRef is not null) DefaultString(fieldRef, "apiVersion", "v1");
    }

    private static void ApplyVolume(JsonObject volume)
    {
        // A volume that names no source at all is an emptyDir.
        if (!volume.Any(p => p.Key != "name" && p.Value is not null))
            volume["emptyDir"] = new JsonObject();

        if (Child(volume, "image") is { } image && IsEmptyString(image["pullPolicy"]))
            image["pullPolicy"] = ImagePullPolicy.For(String(image, "reference"));
        if (Child(volume, "hostPath") is { } hostPath) DefaultPointer(hostPath, "type", "");
        if (Child(volume, "secret") is { } secret) DefaultPointer(secret, "defaultMode", VolumeDefaults.FileMode);
        if (Child(volume, "configMap") is { } configMap) DefaultPointer(configMap, "defaultMode", VolumeDefaults.FileMode);
        if (Child(volume, "downwardAPI") is { } downwardApi)
        {
            DefaultPointer(downwardApi, "defaultMode", VolumeDefaults.FileMode);
            foreach (var item in Items(downwardApi, "items")) ApplyFieldRef(Child(item, "fieldRef"));
        }
        if (Child(volume, "projected") is { } projected)
        {
            DefaultPointer(projected, "defaultMode", VolumeDefaults.FileMode);
            foreach (var source in Items(projected, "sources"))
            {
                foreach (var item in Items(Child(source, "downwardAPI"), "items")) ApplyFieldRef(Child(item, "fieldRef"));
                if (Child(source, "serviceAccountToken") is { } token) DefaultPointer(token, "expirationSeconds", 3600);
            }
        }
        if (Child(volume, "ephemeral", "volumeClaimTemplate") is { } claimTemplate)
            VolumeDefaults.ApplyClaimSpec(Ensure(claimTemplate, "spec"));
        VolumeDefaults.ApplyLegacySources(volume);
    }
}
