using System.Net;
using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Serialization;

namespace Skiff.ApiServer.Registry.Services;

/// <summary>
/// Allocates Service ClusterIPs from the service CIDR and node ports from the NodePort range,
/// as upstream's service REST storage does: a requested value must be in range and free, an
/// absent one is picked at random, and values are freed when the Service goes away.
/// </summary>
/// <remarks>
/// The allocation state lives in memory and is rebuilt from the stored Services at start
/// (<see cref="Load"/>), so it is correct for one API server. Thread-safe: every method takes one lock.
/// </remarks>
public sealed class ServiceAllocator
{
    private readonly Lock _lock = new();
    private readonly uint _base;
    private readonly int _size;
    private readonly HashSet<uint> _ips = [];
    private readonly HashSet<int> _ports = [];

    public ServiceAllocator(string serviceCidr, int nodePortMin = 30000, int nodePortMax = 32767)
    {
        var net = IPNetwork.Parse(serviceCidr);
        _base = ToUInt(net.BaseAddress);
        _size = net.PrefixLength >= 31 ? 0 : (int)Math.Min(1u << (32 - net.PrefixLength), 1u << 20);
        NodePortMin = nodePortMin;
        NodePortMax = nodePortMax;
        ServiceCidr = serviceCidr;
    }

    public string ServiceCidr { get; }
    public int NodePortMin { get; }
    public int NodePortMax { get; }

    /// <summary>Marks what existing Services hold (called once at start, before serving).</summary>
    public void Load(IEnumerable<JsonObject> services)
    {
        lock (_lock)
        {
            foreach (var s in services)
            {
                foreach (var ip in ClusterIps(s)) if (InRange(ip, out var v)) _ips.Add(v);
                foreach (var p in NodePorts(s)) _ports.Add(p);
            }
        }
    }

    /// <summary>
    /// Fills in and reserves the ClusterIP and node ports of a Service being created (or updated
    /// from <paramref name="old"/>, whose values it keeps). Returns field errors instead of
    /// reserving anything when a requested value is out of range or taken.
    /// </summary>
    public List<FieldError> Allocate(JsonObject svc, JsonObject? old)
    {
        var errors = new List<FieldError>();
        var spec = svc["spec"] as JsonObject;
        if (spec is null) return errors;
        var type = Obj.Str(spec, "type") ?? "ClusterIP";
        lock (_lock)
        {
            var newIps = new List<uint>();
            var newPorts = new List<int>();
            var oldSpec = old?["spec"] as JsonObject;
            // ClusterIP: kept from the old object when not given again; never for ExternalName.
            if (type != "ExternalName")
            {
                var wanted = Obj.Str(spec, "clusterIP") ?? (spec["clusterIPs"] as JsonArray)?.FirstOrDefault()?.GetValue<string>();
                var oldIp = oldSpec is null ? null : Obj.Str(oldSpec, "clusterIP");
                if (string.IsNullOrEmpty(wanted) && oldIp is not null) wanted = oldIp;
                if (wanted == "None") SetIp(spec, "None");
                else if (string.IsNullOrEmpty(wanted))
                {
                    if (NextFreeIp() is { } ip) { newIps.Add(ip); SetIp(spec, FromUInt(ip)); }
                    else errors.Add(new(FieldErrorType.Invalid, "spec.clusterIPs", null, $"failed to allocate IP: range is full"));
                }
                else if (wanted != oldIp)
                {
                    if (!IPAddress.TryParse(wanted, out var addr) || !InRange(wanted, out var v))
                        errors.Add(new(FieldErrorType.Invalid, "spec.clusterIPs", new LiteralValue($"[]string{{\"{wanted}\"}}"), $"failed to allocate IP {wanted}: the provided IP ({wanted}) is not in the valid range. The range of valid IPs is {ServiceCidr}"));
                    else if (_ips.Contains(v) || newIps.Contains(v))
                        errors.Add(new(FieldErrorType.Invalid, "spec.clusterIPs", new LiteralValue($"[]string{{\"{wanted}\"}}"), $"failed to allocate IP {wanted}: provided IP is already allocated"));
                    else { newIps.Add(v); SetIp(spec, addr.ToString()); }
                }
                else SetIp(spec, wanted);
            }

            if (type is "NodePort" or "LoadBalancer" && spec["ports"] is JsonArray ports)
            {
                var oldPorts = (oldSpec?["ports"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
                for (var i = 0; i < ports.Count; i++)
                {
                    if (ports[i] is not JsonObject p) continue;
                    var requested = p["nodePort"]?.GetValue<int>() ?? 0;
                    var kept = oldPorts.FirstOrDefault(o => o["port"]?.GetValue<int>() == p["port"]?.GetValue<int>())?["nodePort"]?.GetValue<int>() ?? 0;
                    if (requested == 0 && kept != 0) { p["nodePort"] = kept; continue; }
                    if (requested == 0)
                    {
                        if (NextFreePort(newPorts) is { } np) { newPorts.Add(np); p["nodePort"] = np; }
                        else errors.Add(new(FieldErrorType.Invalid, $"spec.ports[{i}].nodePort", null, "failed to allocate a nodePort: range is full"));
                    }
                    else if (requested == kept) continue;
                    else if (requested < NodePortMin || requested > NodePortMax)
                        errors.Add(new(FieldErrorType.Invalid, $"spec.ports[{i}].nodePort", requested, $"provided port is not in the valid range. The range of valid ports is {NodePortMin}-{NodePortMax}"));
                    else if (_ports.Contains(requested) || newPorts.Contains(requested))
                        errors.Add(new(FieldErrorType.Invalid, $"spec.ports[{i}].nodePort", requested, "provided port is already allocated"));
                    else newPorts.Add(requested);
                }
            }

            if (errors.Count > 0) return errors;
            foreach (var ip in newIps) _ips.Add(ip);
            foreach (var p in newPorts) _ports.Add(p);
        }
        return errors;
    }

    /// <summary>Frees what <paramref name="svc"/> holds that <paramref name="keep"/> (its successor, if any) does not.</summary>
    public void Release(JsonObject svc, JsonObject? keep = null)
    {
        lock (_lock)
        {
            var keptIps = keep is null ? [] : ClusterIps(keep).ToHashSet();
            var keptPorts = keep is null ? [] : NodePorts(keep).ToHashSet();
            foreach (var ip in ClusterIps(svc))
                if (!keptIps.Contains(ip) && InRange(ip, out var v)) _ips.Remove(v);
            foreach (var p in NodePorts(svc))
                if (!keptPorts.Contains(p)) _ports.Remove(p);
        }
    }

    public bool IsIpAllocated(string ip) { lock (_lock) return InRange(ip, out var v) && _ips.Contains(v); }
    public bool IsPortAllocated(int port) { lock (_lock) return _ports.Contains(port); }

    private static void SetIp(JsonObject spec, string ip)
    {
        spec["clusterIP"] = ip;
        spec["clusterIPs"] = new JsonArray(ip);
    }

    private static IEnumerable<string> ClusterIps(JsonObject svc) =>
        (svc["spec"]?["clusterIPs"] as JsonArray)?.Select(n => n?.GetValue<string>() ?? "").Where(s => s.Length > 0 && s != "None")
        ?? (Obj.Str(svc["spec"], "clusterIP") is { Length: > 0 } one && one != "None" ? [one] : []);

    private static IEnumerable<int> NodePorts(JsonObject svc) =>
        (svc["spec"]?["ports"] as JsonArray)?.OfType<JsonObject>().Select(p => p["nodePort"]?.GetValue<int>() ?? 0).Where(p => p > 0) ?? [];

    private bool InRange(string ip, out uint value)
    {
        value = 0;
        if (!IPAddress.TryParse(ip, out var a) || a.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork) return false;
        value = ToUInt(a);
        // Network and broadcast addresses are never handed out.
        return value > _base && value < _base + (uint)_size - 1;
    }

    private uint? NextFreeIp()
    {
        var usable = _size - 2;
        if (usable <= 0) return null;
        var start = Random.Shared.Next(usable);
        for (var i = 0; i < usable; i++)
        {
            var candidate = _base + 1 + (uint)((start + i) % usable);
            if (!_ips.Contains(candidate)) return candidate;
        }
        return null;
    }

    private int? NextFreePort(List<int> pending)
    {
        var count = NodePortMax - NodePortMin + 1;
        var start = Random.Shared.Next(count);
        for (var i = 0; i < count; i++)
        {
            var candidate = NodePortMin + (start + i) % count;
            if (!_ports.Contains(candidate) && !pending.Contains(candidate)) return candidate;
        }
        return null;
    }

    private static uint ToUInt(IPAddress a)
    {
        var b = a.GetAddressBytes();
        return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
    }

    private static string FromUInt(uint v) => new IPAddress(new[] { (byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v }).ToString();
}
