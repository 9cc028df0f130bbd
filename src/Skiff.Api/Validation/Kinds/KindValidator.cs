using System.Text.Json.Nodes;
using Skiff.Api.Selectors;
using static Skiff.Api.Validation.Kinds.FieldChecks;

namespace Skiff.Api.Validation.Kinds;

/// <summary>
/// The per-kind field validation of the built-in workload, service and configuration kinds
/// (upstream's ValidateDeployment, ValidateService, ValidateConfigMap, ...), after defaulting, on
/// create and update. Returns upstream's field errors; empty when the object is valid. Stateless.
/// </summary>
public static class KindValidator
{
    public static IReadOnlyList<FieldError> Validate(string group, string kind, JsonObject obj)
    {
        var errors = new List<FieldError>();
        switch (group, kind)
        {
            case ("", "Pod"):
                PodSpecValidator.Validate(errors, obj["spec"] as JsonObject, "spec");
                break;
            case ("", "PodTemplate"):
                PodSpecValidator.Validate(errors, obj["template"]?["spec"] as JsonObject, "template.spec");
                break;
            case ("apps", "Deployment" or "ReplicaSet" or "DaemonSet" or "StatefulSet"):
            case ("", "ReplicationController"):
                Workload(errors, kind, obj["spec"] as JsonObject);
                break;
            case ("batch", "Job"):
                JobSpec(errors, obj["spec"] as JsonObject, "spec", requireSelector: false);
                break;
            case ("batch", "CronJob"):
                CronJobSpec(errors, obj["spec"] as JsonObject);
                break;
            case ("", "Service"):
                ServiceValidator.Validate(errors, obj["spec"] as JsonObject);
                break;
            case ("", "ConfigMap"):
                ConfigData(errors, obj, "data", "binaryData");
                break;
            case ("", "Secret"):
                ConfigData(errors, obj, "data");
                SecretType(errors, obj);
                break;
        }
        return errors;
    }

    private static void Workload(List<FieldError> errors, string kind, JsonObject? spec)
    {
        if (spec is null) { errors.Add(new FieldError(FieldErrorType.Required, "spec", null, "")); return; }
        NonNegative(errors, spec, "replicas", "spec.replicas");
        NonNegative(errors, spec, "minReadySeconds", "spec.minReadySeconds");
        NonNegative(errors, spec, "revisionHistoryLimit", "spec.revisionHistoryLimit");
        var template = spec["template"] as JsonObject;
        if (kind == "ReplicationController")
        {
            // An RC's selector is a plain map that defaults from the template's labels.
            if (spec["selector"] is JsonObject sel && sel.Count > 0 && template?["metadata"]?["labels"] is JsonObject tl
                && sel.Any(kv => tl[kv.Key]?.GetValue<string>() != kv.Value?.GetValue<string>()))
                errors.Add(new FieldError(FieldErrorType.Invalid, "spec.template.metadata.labels", new LiteralValue(tl.ToJsonString()), "`selector` does not match template `labels`"));
        }
        else SelectorMatchesTemplate(errors, kind.ToLowerInvariant(), spec["selector"] as JsonObject, template, "spec");
        if (template is null)
        {
            errors.Add(new FieldError(FieldErrorType.Required, "spec.template", null, ""));
            return;
        }
        var podSpec = template["spec"] as JsonObject;
        PodSpecValidator.Validate(errors, podSpec, "spec.template.spec");
        if (Str(podSpec, "restartPolicy") is { } rp && rp != "Always")
            errors.Add(new FieldError(FieldErrorType.NotSupported, "spec.template.spec.restartPolicy", rp, Supported("Always")));
        if (kind == "Deployment") DeploymentStrategy(errors, spec["strategy"] as JsonObject);
        if (kind == "StatefulSet")
            OneOf(errors, "spec.podManagementPolicy", Str(spec, "podManagementPolicy"), "OrderedReady", "Parallel");
    }

    /// <summary>A required, non-empty label selector that selects the template's labels.</summary>
    private static void SelectorMatchesTemplate(List<FieldError> errors, string what, JsonObject? selector, JsonObject? template, string path)
    {
        if (selector is null)
        {
            errors.Add(new FieldError(FieldErrorType.Required, path + ".selector", null, ""));
            return;
        }
        LabelSelector parsed;
        try { parsed = LabelSelector.FromJson(selector); }
        catch (FormatException e)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, path + ".selector", new LiteralValue(selector.ToJsonString()), e.Message));
            return;
        }
        if (parsed.IsEmpty)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, path + ".selector", new LiteralValue(selector.ToJsonString()), $"empty selector is invalid for {what}"));
            return;
        }
        var labels = template?["metadata"]?["labels"] as JsonObject;
        var map = labels?.ToDictionary(kv => kv.Key, kv => kv.Value?.GetValue<string>() ?? "") ?? [];
        if (!parsed.Matches(map))
            errors.Add(new FieldError(FieldErrorType.Invalid, path + ".template.metadata.labels", new LiteralValue(labels?.ToJsonString() ?? "null"),
                "`selector` does not match template `labels`"));
    }

    private static void DeploymentStrategy(List<FieldError> errors, JsonObject? strategy)
    {
        var type = Str(strategy, "type");
        OneOf(errors, "spec.strategy.type", type, "Recreate", "RollingUpdate");
        if (type == "Recreate" && strategy?["rollingUpdate"] is not null)
            errors.Add(new FieldError(FieldErrorType.Forbidden, "spec.strategy.rollingUpdate", null, "may not be specified when strategy `type` is 'Recreate'"));
        if (strategy?["rollingUpdate"] is JsonObject ru && IsZero(ru["maxSurge"]) && IsZero(ru["maxUnavailable"]))
            errors.Add(new FieldError(FieldErrorType.Invalid, "spec.strategy.rollingUpdate.maxUnavailable", new LiteralValue(ru["maxUnavailable"]!.ToJsonString()), "may not be 0 when `maxSurge` is 0"));
    }

    private static bool IsZero(JsonNode? n) => n is JsonValue v && (v.TryGetValue<long>(out var l) ? l == 0 : v.TryGetValue<string>(out var s) && s is "0" or "0%");

    private static void JobSpec(List<FieldError> errors, JsonObject? spec, string path, bool requireSelector)
    {
        if (spec is null) { errors.Add(new FieldError(FieldErrorType.Required, path, null, "")); return; }
        NonNegative(errors, spec, "parallelism", path + ".parallelism");
        NonNegative(errors, spec, "completions", path + ".completions");
        NonNegative(errors, spec, "backoffLimit", path + ".backoffLimit");
        if (Int(spec, "activeDeadlineSeconds") is <= 0 and var ads)
            errors.Add(new FieldError(FieldErrorType.Invalid, path + ".activeDeadlineSeconds", ads, "must be greater than or equal to 1"));
        OneOf(errors, path + ".completionMode", Str(spec, "completionMode"), "NonIndexed", "Indexed");
        var podSpec = spec["template"]?["spec"] as JsonObject;
        PodSpecValidator.Validate(errors, podSpec, path + ".template.spec");
        if (Str(podSpec, "restartPolicy") is { } rp && rp is not ("OnFailure" or "Never"))
            errors.Add(new FieldError(FieldErrorType.Required, path + ".template.spec.restartPolicy", null, "valid values: \"OnFailure\", \"Never\""));
    }

    private static void CronJobSpec(List<FieldError> errors, JsonObject? spec)
    {
        if (spec is null) { errors.Add(new FieldError(FieldErrorType.Required, "spec", null, "")); return; }
        var schedule = Str(spec, "schedule");
        if (string.IsNullOrEmpty(schedule)) errors.Add(new FieldError(FieldErrorType.Required, "spec.schedule", null, ""));
        else if (CronSchedule.Check(schedule) is { } problem)
            errors.Add(new FieldError(FieldErrorType.Invalid, "spec.schedule", schedule, problem));
        OneOf(errors, "spec.concurrencyPolicy", Str(spec, "concurrencyPolicy"), "Allow", "Forbid", "Replace");
        NonNegative(errors, spec, "startingDeadlineSeconds", "spec.startingDeadlineSeconds");
        NonNegative(errors, spec, "successfulJobsHistoryLimit", "spec.successfulJobsHistoryLimit");
        NonNegative(errors, spec, "failedJobsHistoryLimit", "spec.failedJobsHistoryLimit");
        JobSpec(errors, spec["jobTemplate"]?["spec"] as JsonObject, "spec.jobTemplate.spec", requireSelector: false);
    }

    /// <summary>ConfigMap and Secret keys: a config key each, unique across data and binaryData.</summary>
    private static void ConfigData(List<FieldError> errors, JsonObject obj, params string[] fields)
    {
        var seen = new HashSet<string>();
        foreach (var field in fields)
        {
            if (obj[field] is not JsonObject data) continue;
            foreach (var (key, _) in data)
            {
                var path = $"{field}[{key}]";
                if (key.Length > 253) errors.Add(new FieldError(FieldErrorType.Invalid, path, key, NameFormats.MaxLenError(253)));
                if (!ConfigKey().IsMatch(key))
                    errors.Add(new FieldError(FieldErrorType.Invalid, path, key,
                        "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
                if (!seen.Add(key)) errors.Add(new FieldError(FieldErrorType.Invalid, path, key, "duplicate of key present in data"));
            }
        }
    }

    /// <summary>Typed Secrets must carry their type's keys.</summary>
    private static void SecretType(List<FieldError> errors, JsonObject secret)
    {
        var data = secret["data"] as JsonObject;
        string[] required = Str(secret, "type") switch
        {
            "kubernetes.io/tls" => ["tls.crt", "tls.key"],
            "kubernetes.io/dockerconfigjson" => [".dockerconfigjson"],
            "kubernetes.io/dockercfg" => [".dockercfg"],
            "kubernetes.io/basic-auth" => [],
            "kubernetes.io/ssh-auth" => ["ssh-privatekey"],
            _ => [],
        };
        foreach (var key in required)
            if (data?[key] is null) errors.Add(new FieldError(FieldErrorType.Required, $"data[{key}]", null, ""));
        if (Str(secret, "type") == "kubernetes.io/service-account-token"
            && string.IsNullOrEmpty(Str(secret["metadata"]?["annotations"], "kubernetes.io/service-account.name")))
            errors.Add(new FieldError(FieldErrorType.Required, "metadata.annotations[kubernetes.io/service-account.name]", null, ""));
    }
}
