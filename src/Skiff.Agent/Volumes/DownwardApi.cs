using System.Globalization;
using System.Text;
using Skiff.Api.Models.Core.V1;

namespace Skiff.Agent.Volumes;

/// <summary>
/// Renders the downward API's values as upstream's kubelet writes them into files: single fields as
/// their text, labels and annotations as sorted <c>key="value"</c> lines, resources divided by the divisor
/// and rounded up. Stateless.
/// </summary>
public static class DownwardApi
{
    /// <summary>The text for <paramref name="fieldPath"/> of <paramref name="pod"/>.</summary>
    /// <exception cref="ArgumentException">The field is not one the downward API offers.</exception>
    public static string Field(Pod pod, string fieldPath)
    {
        var meta = pod.Metadata;
        switch (fieldPath)
        {
            case "metadata.name": return meta?.Name ?? "";
            case "metadata.namespace": return meta?.Namespace ?? "";
            case "metadata.uid": return meta?.Uid ?? "";
            case "metadata.labels": return FormatMap(meta?.Labels);
            case "metadata.annotations": return FormatMap(meta?.Annotations);
            case "spec.nodeName": return pod.Spec?.NodeName ?? "";
            case "spec.serviceAccountName": return pod.Spec?.ServiceAccountName ?? "";
            case "status.hostIP": return pod.Status?.HostIP ?? "";
            case "status.podIP": return pod.Status?.PodIP ?? "";
            case "status.podIPs": return string.Join(",", pod.Status?.PodIPs?.Select(p => p.Ip) ?? []);
            case "status.hostIPs": return string.Join(",", pod.Status?.HostIPs?.Select(p => p.Ip) ?? []);
        }
        if (TrySubscript(fieldPath, "metadata.labels", out var label)) return meta?.Labels?.GetValueOrDefault(label) ?? "";
        if (TrySubscript(fieldPath, "metadata.annotations", out var annotation)) return meta?.Annotations?.GetValueOrDefault(annotation) ?? "";
        throw new ArgumentException($"unsupported fieldPath: {fieldPath}");
    }

    /// <summary>
    /// A container's resource (limits.cpu, requests.memory, ...) divided by <paramref name="divisor"/>, rounded
    /// up. A limit the container does not set is the node's allocatable amount, as upstream.
    /// </summary>
    public static string Resource(Pod pod, string? containerName, string resource, string? divisor,
        IReadOnlyDictionary<string, decimal> nodeAllocatable)
    {
        var container = pod.Spec?.Containers?.FirstOrDefault(c => c.Name == containerName)
            ?? pod.Spec?.InitContainers?.FirstOrDefault(c => c.Name == containerName)
            ?? throw new ArgumentException($"container {containerName} is not in the pod");
        var dot = resource.IndexOf('.');
        if (dot <= 0) throw new ArgumentException($"unsupported container resource: {resource}");
        var kind = resource[..dot];
        var name = resource[(dot + 1)..];
        var set = kind switch
        {
            "limits" => container.Resources?.Limits,
            "requests" => container.Resources?.Requests,
            _ => throw new ArgumentException($"unsupported container resource: {resource}"),
        };
        decimal amount;
        if (set?.TryGetValue(name, out var q) == true) amount = QuantityValue.Parse(q.Value);
        else if (kind == "limits") amount = nodeAllocatable.GetValueOrDefault(name);
        else amount = 0; // upstream: an unset request reads as zero (after defaulting from the limit)
        var by = string.IsNullOrEmpty(divisor) ? 1m : QuantityValue.Parse(divisor);
        if (by == 0) by = 1m;
        return Math.Ceiling(amount / by).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Sorted <c>key="value"</c> lines with Go's quoting, newline-separated, as upstream's FormatMap.</summary>
    public static string FormatMap(IReadOnlyDictionary<string, string>? map)
    {
        if (map is null || map.Count == 0) return "";
        var sb = new StringBuilder();
        foreach (var (k, v) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (sb.Length > 0) sb.Append('\n');
            sb.Append(k).Append('=').Append(GoQuote(v));
        }
        return sb.ToString();
    }

    /// <summary>strconv.Quote for the characters that occur in labels and annotations.</summary>
    public static string GoQuote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        foreach (var rune in s.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\a': sb.Append("\\a"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\v': sb.Append("\\v"); break;
                default:
                    if (rune.Value < 0x20 || rune.Value == 0x7F) sb.Append("\\x").Append(rune.Value.ToString("x2"));
                    else if (Rune.IsControl(rune)) sb.Append(rune.Value > 0xFFFF ? $"\\U{rune.Value:x8}" : $"\\u{rune.Value:x4}");
                    else sb.Append(rune.ToString());
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    private static bool TrySubscript(string path, string prefix, out string key)
    {
        key = "";
        if (!path.StartsWith(prefix + "['", StringComparison.Ordinal) || !path.EndsWith("']", StringComparison.Ordinal)) return false;
        key = path[(prefix.Length + 2)..^2];
        return true;
    }
}
