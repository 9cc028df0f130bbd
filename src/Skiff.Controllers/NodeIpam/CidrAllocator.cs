using System.Net;
using System.Net.Sockets;

namespace Skiff.Controllers.NodeIpam;

/// <summary>
/// Hands out fixed-size node ranges (a /24 by default, as upstream's range allocator for IPv4) from
/// the cluster CIDR, lowest free first. Pure bookkeeping: the owner marks what nodes already hold
/// (rebuilt from the Node objects after a restart) and releases what deleted nodes held.
/// Not thread-safe; the controller uses it from one worker.
/// </summary>
public sealed class CidrAllocator
{
    private readonly IPNetwork _cluster;
    private readonly int _nodeMaskSize;
    private readonly HashSet<int> _used = [];

    public CidrAllocator(string clusterCidr, int nodeMaskSize = 24)
    {
        _cluster = IPNetwork.Parse(clusterCidr);
        if (_cluster.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException($"cluster CIDR {clusterCidr}: only IPv4 is supported");
        if (nodeMaskSize < _cluster.PrefixLength || nodeMaskSize > 30)
            throw new ArgumentException($"node mask /{nodeMaskSize} does not fit in {clusterCidr}");
        _nodeMaskSize = nodeMaskSize;
    }

    /// <summary>How many node ranges the cluster CIDR holds.</summary>
    public int Capacity => 1 << (_nodeMaskSize - _cluster.PrefixLength);

    public int Used => _used.Count;

    /// <summary>Records a range a node already has; false when it is not one of this allocator's ranges.</summary>
    public bool MarkUsed(string cidr)
    {
        if (IndexOf(cidr) is not { } i) return false;
        _used.Add(i);
        return true;
    }

    public void Release(string cidr)
    {
        if (IndexOf(cidr) is { } i) _used.Remove(i);
    }

    /// <summary>The lowest free range, now marked used; null when the cluster CIDR is exhausted.</summary>
    public string? Allocate()
    {
        for (var i = 0; i < Capacity; i++)
        {
            if (!_used.Add(i)) continue;
            return RangeAt(i);
        }
        return null;
    }

    private string RangeAt(int index)
    {
        var baseValue = ToUInt(_cluster.BaseAddress) + ((uint)index << (32 - _nodeMaskSize));
        return $"{FromUInt(baseValue)}/{_nodeMaskSize}";
    }

    private int? IndexOf(string cidr)
    {
        if (!IPNetwork.TryParse(cidr, out var net) || net.PrefixLength != _nodeMaskSize || !_cluster.Contains(net.BaseAddress)) return null;
        return (int)((ToUInt(net.BaseAddress) - ToUInt(_cluster.BaseAddress)) >> (32 - _nodeMaskSize));
    }

    private static uint ToUInt(IPAddress a)
    {
        var b = a.GetAddressBytes();
        return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
    }

    private static IPAddress FromUInt(uint v) => new([(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v]);
}
