using System.Net;

namespace Skiff.ApiServer.Pki;

/// <summary>
/// What the API server's serving certificate must be valid for, beyond the names every
/// cluster gets (localhost, loopback addresses, host name, the kubernetes.default service names).
/// Immutable; bound once from flags (<c>--tls-san</c>, <c>--service-cidr</c>, <c>--cluster-domain</c>).
/// </summary>
public sealed record ServingCertificateOptions
{
    /// <summary>The first address of the service CIDR: the ClusterIP of the <c>kubernetes</c> service.</summary>
    public IPAddress ServiceIp { get; init; } = IPAddress.Parse("10.43.0.1");

    /// <summary>Extra subject alternative names from <c>--tls-san</c>; each is an IP address or a DNS name.</summary>
    public IReadOnlyList<string> ExtraSans { get; init; } = [];

    /// <summary>Cluster DNS domain, used for <c>kubernetes.default.svc.&lt;domain&gt;</c>.</summary>
    public string ClusterDomain { get; init; } = "cluster.local";

    /// <summary>
    /// Whether to add every unicast address of the machine's interfaces. On by default so that
    /// clients on other hosts can reach the server by any of its addresses without --tls-san.
    /// </summary>
    public bool IncludeInterfaceAddresses { get; init; } = true;

    /// <summary>Options whose service IP is the first address of <paramref name="serviceCidr"/> (e.g. 10.43.0.0/16 → 10.43.0.1).</summary>
    public static ServingCertificateOptions ForServiceCidr(string serviceCidr, IEnumerable<string>? extraSans = null) => new()
    {
        ServiceIp = FirstAddress(serviceCidr),
        ExtraSans = extraSans?.ToArray() ?? [],
    };

    /// <summary>The network address plus one, as upstream picks the kubernetes service ClusterIP.</summary>
    public static IPAddress FirstAddress(string cidr)
    {
        var network = IPNetwork.Parse(cidr);
        byte[] bytes = network.BaseAddress.GetAddressBytes();
        for (int i = bytes.Length - 1; i >= 0; i--)
        {
            if (++bytes[i] != 0)
            {
                break;
            }
        }
        return new IPAddress(bytes);
    }
}
