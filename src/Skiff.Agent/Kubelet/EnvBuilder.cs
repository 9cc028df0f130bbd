using System.Text;
using Skiff.Api.Models.Core.V1;

namespace Skiff.Agent.Kubelet;

/// <summary>Reads the ConfigMaps and Secrets a container's environment refers to; null when absent.</summary>
public interface IConfigSource
{
    Task<ConfigMap?> GetConfigMapAsync(string ns, string name, CancellationToken ct);
    Task<Secret?> GetSecretAsync(string ns, string name, CancellationToken ct);
}

/// <summary>A container's configuration cannot be built (upstream's CreateContainerConfigError).</summary>
public sealed class ContainerConfigException(string message) : Exception(message);

/// <summary>What the downward API may read that is not in the pod spec.</summary>
public sealed record PodRuntimeFacts(string? HostIp, IReadOnlyList<string> PodIps, decimal NodeCpuCores, decimal NodeMemoryBytes);

/// <summary>
/// A container's environment as upstream's kubelet makes it: envFrom sources in order (later wins),
/// then env entries (value with $(VAR) expansion over what is defined so far, fieldRef,
/// resourceFieldRef, configMapKeyRef, secretKeyRef), a missing non-optional source failing with
/// <see cref="ContainerConfigException"/>. Also expands $(VAR) in command and args. Stateless apart
/// from its source; thread-safe.
/// </summary>
public sealed class EnvBuilder(IConfigSource source)
{
    public async Task<List<KeyValuePair<string, string>>> BuildAsync(Pod pod, Container container, PodRuntimeFacts facts, CancellationToken ct)
    {
        var ns = pod.Metadata?.Namespace ?? "default";
        var order = new List<string>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        void Set(string name, string value)
        {
            if (!values.ContainsKey(name)) order.Add(name);
            values[name] = value;
        }

        foreach (var from in container.EnvFrom ?? [])
        {
            var prefix = from.Prefix ?? "";
            if (from.ConfigMapRef is { } cmRef)
            {
                var cm = await source.GetConfigMapAsync(ns, cmRef.Name ?? "", ct).ConfigureAwait(false);
                if (cm is null)
                {
                    if (cmRef.Optional == true) continue;
                    throw new ContainerConfigException($"configmap \"{cmRef.Name}\" not found");
                }
                foreach (var (k, v) in cm.Data ?? []) Set(prefix + k, v);
            }
            if (from.SecretRef is { } sRef)
            {
                var secret = await source.GetSecretAsync(ns, sRef.Name ?? "", ct).ConfigureAwait(false);
                if (secret is null)
                {
                    if (sRef.Optional == true) continue;
                    throw new ContainerConfigException($"secret \"{sRef.Name}\" not found");
                }
                foreach (var (k, v) in secret.Data ?? []) Set(prefix + k, Encoding.UTF8.GetString(v));
            }
        }

        foreach (var env in container.Env ?? [])
        {
            var name = env.Name ?? "";
            if (env.ValueFrom is null)
            {
                Set(name, Expand(env.Value ?? "", values));
                continue;
            }
            var value = await ResolveAsync(pod, container, env.ValueFrom, facts, ns, ct).ConfigureAwait(false);
            if (value is not null) Set(name, value);
        }
        return [.. order.Select(n => new KeyValuePair<string, string>(n, values[n]))];
    }

    private async Task<string?> ResolveAsync(Pod pod, Container container, EnvVarSource from, PodRuntimeFacts facts, string ns, CancellationToken ct)
    {
        if (from.FieldRef is { } field) return FieldValue(pod, field.FieldPath ?? "", facts);
        if (from.ResourceFieldRef is { } res) return ResourceValue(pod, container, res, facts);
        if (from.ConfigMapKeyRef is { } cmKey)
        {
            var cm = await source.GetConfigMapAsync(ns, cmKey.Name ?? "", ct).ConfigureAwait(false);
            if (cm?.Data is { } data && data.TryGetValue(cmKey.Key ?? "", out var v)) return v;
            if (cmKey.Optional == true) return null;
            throw new ContainerConfigException(cm is null
                ? $"configmap \"{cmKey.Name}\" not found"
                : $"couldn't find key {cmKey.Key} in ConfigMap {ns}/{cmKey.Name}");
        }
        if (from.SecretKeyRef is { } sKey)
        {
            var secret = await source.GetSecretAsync(ns, sKey.Name ?? "", ct).ConfigureAwait(false);
            if (secret?.Data is { } data && data.TryGetValue(sKey.Key ?? "", out var v)) return Encoding.UTF8.GetString(v);
            if (sKey.Optional == true) return null;
            throw new ContainerConfigException(secret is null
                ? $"secret \"{sKey.Name}\" not found"
                : $"couldn't find key {sKey.Key} in Secret {ns}/{sKey.Name}");
        }
        return null;
    }

    /// <summary>The downward API's fieldRef paths.</summary>
    public static string FieldValue(Pod pod, string path, PodRuntimeFacts facts)
    {
        var meta = pod.Metadata;
        switch (path)
        {
            case "metadata.name": return meta?.Name ?? "";
            case "metadata.namespace": return meta?.Namespace ?? "";
            case "metadata.uid": return meta?.Uid ?? "";
            case "spec.nodeName": return pod.Spec?.NodeName ?? "";
            case "spec.serviceAccountName": return pod.Spec?.ServiceAccountName ?? "";
            case "status.hostIP": return facts.HostIp ?? "";
            case "status.hostIPs": return facts.HostIp ?? "";
            case "status.podIP": return facts.PodIps.FirstOrDefault() ?? "";
            case "status.podIPs": return string.Join(",", facts.PodIps);
            case "metadata.labels": return FormatMap(meta?.Labels);
            case "metadata.annotations": return FormatMap(meta?.Annotations);
        }
        if (TryKey(path, "metadata.labels", out var label)) return meta?.Labels?.GetValueOrDefault(label) ?? "";
        if (TryKey(path, "metadata.annotations", out var annotation)) return meta?.Annotations?.GetValueOrDefault(annotation) ?? "";
        throw new ContainerConfigException($"unsupported fieldPath: {path}");
    }

    private static bool TryKey(string path, string prefix, out string key)
    {
        key = "";
        if (!path.StartsWith(prefix + "[", StringComparison.Ordinal) || !path.EndsWith(']')) return false;
        key = path[(prefix.Length + 1)..^1].Trim('\'', '"');
        return true;
    }

    private static string FormatMap(IDictionary<string, string>? map) =>
        map is null ? "" : string.Join("\n", map.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}=\"{kv.Value}\""));

    /// <summary>resourceFieldRef: limits fall back to the node's allocatable, as upstream; the result rounds up in divisor units.</summary>
    public static string ResourceValue(Pod pod, Container self, ResourceFieldSelector selector, PodRuntimeFacts facts)
    {
        var container = string.IsNullOrEmpty(selector.ContainerName) ? self
            : pod.Spec?.Containers?.FirstOrDefault(c => c.Name == selector.ContainerName)
              ?? pod.Spec?.InitContainers?.FirstOrDefault(c => c.Name == selector.ContainerName)
              ?? throw new ContainerConfigException($"container {selector.ContainerName} not found");
        var divisor = Quantities.TryParse(selector.Divisor, out var d) && d > 0 ? d : 1m;
        var res = container.Resources;
        decimal value = selector.Resource switch
        {
            "limits.cpu" => Quantities.Get(res?.Limits, "cpu") ?? facts.NodeCpuCores,
            "limits.memory" => Quantities.Get(res?.Limits, "memory") ?? facts.NodeMemoryBytes,
            "limits.ephemeral-storage" => Quantities.Get(res?.Limits, "ephemeral-storage") ?? 0,
            "requests.cpu" => Quantities.Get(res?.Requests, "cpu") ?? Quantities.Get(res?.Limits, "cpu") ?? 0,
            "requests.memory" => Quantities.Get(res?.Requests, "memory") ?? Quantities.Get(res?.Limits, "memory") ?? 0,
            "requests.ephemeral-storage" => Quantities.Get(res?.Requests, "ephemeral-storage") ?? 0,
            _ => throw new ContainerConfigException($"unsupported container resource: {selector.Resource}"),
        };
        return ((long)Math.Ceiling(value / divisor)).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Upstream's $(VAR) expansion: a defined name is replaced, an undefined one is left as written,
    /// "$$" is an escaped "$", anything else passes through.
    /// </summary>
    public static string Expand(string input, IReadOnlyDictionary<string, string> vars)
    {
        if (!input.Contains('$')) return input;
        var sb = new StringBuilder(input.Length);
        for (var i = 0; i < input.Length; i++)
        {
            if (input[i] != '$' || i + 1 >= input.Length) { sb.Append(input[i]); continue; }
            var next = input[i + 1];
            if (next == '$') { sb.Append('$'); i++; continue; }
            if (next == '(')
            {
                var close = input.IndexOf(')', i + 2);
                if (close > 0)
                {
                    var name = input[(i + 2)..close];
                    if (vars.TryGetValue(name, out var value)) sb.Append(value);
                    else sb.Append("$(").Append(name).Append(')');
                    i = close;
                    continue;
                }
            }
            sb.Append('$');
        }
        return sb.ToString();
    }
}
