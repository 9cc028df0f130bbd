using System.Text.Json.Nodes;
using static Skiff.Api.Validation.Kinds.FieldChecks;

namespace Skiff.Api.Validation.Kinds;

/// <summary>Upstream's ValidateService essentials: type, ports (numbers, names, uniqueness, protocols, target ports), ExternalName and session affinity. Stateless.</summary>
public static class ServiceValidator
{
    public static void Validate(List<FieldError> errors, JsonObject? spec)
    {
        if (spec is null) { errors.Add(new FieldError(FieldErrorType.Required, "spec", null, "")); return; }
        var type = Str(spec, "type") ?? "ClusterIP";
        OneOf(errors, "spec.type", type, "ClusterIP", "ExternalName", "LoadBalancer", "NodePort");
        OneOf(errors, "spec.sessionAffinity", Str(spec, "sessionAffinity"), "ClientIP", "None");
        if (type == "ExternalName")
        {
            var name = Str(spec, "externalName");
            if (string.IsNullOrEmpty(name)) errors.Add(new FieldError(FieldErrorType.Required, "spec.externalName", null, ""));
            else foreach (var m in NameFormats.IsDns1123Subdomain(name.TrimEnd('.'))) errors.Add(new FieldError(FieldErrorType.Invalid, "spec.externalName", name, m));
        }
        var headless = Str(spec, "clusterIP") == "None";
        var ports = Items(spec, "ports").ToList();
        if (ports.Count == 0 && type != "ExternalName" && !headless)
            errors.Add(new FieldError(FieldErrorType.Required, "spec.ports", null, ""));
        var names = new HashSet<string>();
        var numbers = new HashSet<(long, string)>();
        foreach (var (port, i) in ports)
        {
            var p = $"spec.ports[{i}]";
            var name = Str(port, "name") ?? "";
            if (ports.Count > 1 && name.Length == 0) errors.Add(new FieldError(FieldErrorType.Required, p + ".name", null, ""));
            if (name.Length > 0)
            {
                Dns1123Label(errors, p + ".name", name);
                if (!names.Add(name)) errors.Add(new FieldError(FieldErrorType.Duplicate, p + ".name", name, ""));
            }
            var number = Int(port, "port") ?? 0;
            if (!IsPortNumber(number)) errors.Add(new FieldError(FieldErrorType.Invalid, p + ".port", number, PortRange));
            var protocol = Str(port, "protocol") ?? "TCP";
            OneOf(errors, p + ".protocol", protocol, "SCTP", "TCP", "UDP");
            if (!numbers.Add((number, protocol)))
                errors.Add(new FieldError(FieldErrorType.Duplicate, p, new LiteralValue($"{{port: {number}, protocol: {protocol}}}"), ""));
            switch (port["targetPort"])
            {
                case JsonValue v when AsLong(v) is { } tp:
                    if (!IsPortNumber(tp)) errors.Add(new FieldError(FieldErrorType.Invalid, p + ".targetPort", tp, PortRange));
                    break;
                case JsonValue v when v.TryGetValue<string>(out var tn):
                    foreach (var m in IsValidPortName(tn)) errors.Add(new FieldError(FieldErrorType.Invalid, p + ".targetPort", tn, m));
                    break;
            }
            if (Int(port, "nodePort") is { } np && np != 0 && type is "ClusterIP")
                errors.Add(new FieldError(FieldErrorType.Forbidden, p + ".nodePort", null, "may not be used when `type` is 'ClusterIP'"));
        }
    }
}
