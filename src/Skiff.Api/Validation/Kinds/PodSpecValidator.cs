using System.Text.Json.Nodes;
using static Skiff.Api.Validation.Kinds.FieldChecks;

namespace Skiff.Api.Validation.Kinds;

/// <summary>
/// Upstream's ValidatePodSpec for the parts clients most often get wrong: containers (names,
/// images, ports, env names, pull policy, volume mounts), volumes (names, exactly one source),
/// restartPolicy and dnsPolicy, with upstream's paths and messages. Used for Pods and for every
/// pod template. Stateless.
/// </summary>
public static class PodSpecValidator
{
    private static readonly string[] VolumeSources =
    [
        "hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret", "nfs", "iscsi", "glusterfs",
        "persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "downwardAPI", "fc", "azureFile", "configMap",
        "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "projected", "portworxVolume", "scaleIO", "storageos",
        "csi", "ephemeral", "image",
    ];

    public static void Validate(List<FieldError> errors, JsonObject? spec, string path)
    {
        if (spec is null)
        {
            errors.Add(new FieldError(FieldErrorType.Required, path, null, ""));
            return;
        }
        var volumes = ValidateVolumes(errors, spec, path);
        var names = new HashSet<string>();
        if (spec["containers"] is not JsonArray { Count: > 0 })
            errors.Add(new FieldError(FieldErrorType.Required, path + ".containers", null, ""));
        foreach (var (c, i) in Items(spec, "initContainers"))
            ValidateContainer(errors, c, $"{path}.initContainers[{i}]", names, volumes);
        foreach (var (c, i) in Items(spec, "containers"))
            ValidateContainer(errors, c, $"{path}.containers[{i}]", names, volumes);
        OneOf(errors, path + ".restartPolicy", Str(spec, "restartPolicy"), "Always", "OnFailure", "Never");
        OneOf(errors, path + ".dnsPolicy", Str(spec, "dnsPolicy"), "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None");
        if (Int(spec, "activeDeadlineSeconds") is <= 0 and var ads)
            errors.Add(new FieldError(FieldErrorType.Invalid, path + ".activeDeadlineSeconds", ads, "must be between 1 and 2147483647, inclusive"));
        if (Str(spec, "serviceAccountName") is { Length: > 0 } sa)
            foreach (var m in NameFormats.IsDns1123Subdomain(sa)) errors.Add(new FieldError(FieldErrorType.Invalid, path + ".serviceAccountName", sa, m));
        if (Str(spec, "hostname") is { Length: > 0 } host) Dns1123Label(errors, path + ".hostname", host);
    }

    private static HashSet<string> ValidateVolumes(List<FieldError> errors, JsonObject spec, string path)
    {
        var names = new HashSet<string>();
        foreach (var (v, i) in Items(spec, "volumes"))
        {
            var p = $"{path}.volumes[{i}]";
            var name = Str(v, "name") ?? "";
            if (name.Length == 0) errors.Add(new FieldError(FieldErrorType.Required, p + ".name", null, ""));
            else
            {
                Dns1123Label(errors, p + ".name", name);
                if (!names.Add(name)) errors.Add(new FieldError(FieldErrorType.Duplicate, p + ".name", name, ""));
            }
            var sources = VolumeSources.Where(s => v[s] is not null).ToList();
            if (sources.Count == 0)
                errors.Add(new FieldError(FieldErrorType.Required, p, null, "must specify a volume type"));
            else if (sources.Count > 1)
                errors.Add(new FieldError(FieldErrorType.Forbidden, $"{p}.{sources[1]}", null, "may not specify more than 1 volume type"));
        }
        return names;
    }

    private static void ValidateContainer(List<FieldError> errors, JsonObject c, string p, HashSet<string> names, HashSet<string> volumes)
    {
        var name = Str(c, "name") ?? "";
        if (name.Length == 0) errors.Add(new FieldError(FieldErrorType.Required, p + ".name", null, ""));
        else
        {
            Dns1123Label(errors, p + ".name", name);
            if (!names.Add(name)) errors.Add(new FieldError(FieldErrorType.Duplicate, p + ".name", name, ""));
        }
        if (string.IsNullOrEmpty(Str(c, "image"))) errors.Add(new FieldError(FieldErrorType.Required, p + ".image", null, ""));
        OneOf(errors, p + ".imagePullPolicy", Str(c, "imagePullPolicy"), "Always", "IfNotPresent", "Never");
        OneOf(errors, p + ".terminationMessagePolicy", Str(c, "terminationMessagePolicy"), "File", "FallbackToLogsOnError");

        var portNames = new HashSet<string>();
        foreach (var (port, j) in Items(c, "ports"))
        {
            var pp = $"{p}.ports[{j}]";
            var cp = Int(port, "containerPort") ?? 0;
            if (cp == 0) errors.Add(new FieldError(FieldErrorType.Required, pp + ".containerPort", null, ""));
            else if (!IsPortNumber(cp)) errors.Add(new FieldError(FieldErrorType.Invalid, pp + ".containerPort", cp, PortRange));
            if (Int(port, "hostPort") is { } hp && hp != 0 && !IsPortNumber(hp))
                errors.Add(new FieldError(FieldErrorType.Invalid, pp + ".hostPort", hp, PortRange));
            OneOf(errors, pp + ".protocol", Str(port, "protocol"), "SCTP", "TCP", "UDP");
            if (Str(port, "name") is { Length: > 0 } pn)
            {
                foreach (var m in IsValidPortName(pn)) errors.Add(new FieldError(FieldErrorType.Invalid, pp + ".name", pn, m));
                if (!portNames.Add(pn)) errors.Add(new FieldError(FieldErrorType.Duplicate, pp + ".name", pn, ""));
            }
        }
        foreach (var (env, j) in Items(c, "env"))
        {
            var en = Str(env, "name") ?? "";
            if (en.Length == 0) errors.Add(new FieldError(FieldErrorType.Required, $"{p}.env[{j}].name", null, ""));
            else if (!EnvVarName().IsMatch(en))
                errors.Add(new FieldError(FieldErrorType.Invalid, $"{p}.env[{j}].name", en,
                    "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"));
        }
        foreach (var (m, j) in Items(c, "volumeMounts"))
        {
            var mp = $"{p}.volumeMounts[{j}]";
            var vn = Str(m, "name") ?? "";
            if (vn.Length == 0) errors.Add(new FieldError(FieldErrorType.Required, mp + ".name", null, ""));
            else if (!volumes.Contains(vn)) errors.Add(new FieldError(FieldErrorType.NotFound, mp + ".name", vn, ""));
            if (string.IsNullOrEmpty(Str(m, "mountPath"))) errors.Add(new FieldError(FieldErrorType.Required, mp + ".mountPath", null, ""));
            if (Str(m, "subPath") is { Length: > 0 } sp && (sp.StartsWith('/') || sp.Split('/').Contains("..")))
                errors.Add(new FieldError(FieldErrorType.Invalid, mp + ".subPath", sp, sp.StartsWith('/') ? "must be a relative path" : "must not contain '..'"));
        }
    }
}
