using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Skiff.ApiServer.Pki;

/// <summary>
/// A set of DNS names (compared case-insensitively) and IP addresses (compared without scope id)
/// that a serving certificate is, or should be, valid for. Immutable.
/// </summary>
public sealed class SubjectAlternativeNames
{
    private readonly SortedSet<string> _dnsNames;
    private readonly SortedSet<string> _ipAddresses; // canonical text of scope-less addresses, sorted for stable output

    private SubjectAlternativeNames(IEnumerable<string> dnsNames, IEnumerable<IPAddress> ipAddresses)
    {
        _dnsNames = new SortedSet<string>(dnsNames.Select(n => n.Trim().TrimEnd('.').ToLowerInvariant()).Where(n => n.Length > 0), StringComparer.Ordinal);
        _ipAddresses = new SortedSet<string>(ipAddresses.Select(Canonical), StringComparer.Ordinal);
    }

    public IReadOnlyCollection<string> DnsNames => _dnsNames;

    public IReadOnlyCollection<IPAddress> IpAddresses => _ipAddresses.Select(IPAddress.Parse).ToArray();

    /// <summary>Exactly these names and addresses (a kubelet's serving certificate).</summary>
    public static SubjectAlternativeNames For(IEnumerable<string> dnsNames, IEnumerable<IPAddress> ipAddresses) => new(dnsNames, ipAddresses);

    /// <summary>The names the API server must answer to for <paramref name="options"/> on this machine, right now.</summary>
    public static SubjectAlternativeNames Wanted(ServingCertificateOptions options)
    {
        var dns = new List<string>
        {
            "localhost",
            "kubernetes",
            "kubernetes.default",
            "kubernetes.default.svc",
            $"kubernetes.default.svc.{options.ClusterDomain}",
        };
        var ips = new List<IPAddress> { IPAddress.Loopback, IPAddress.IPv6Loopback, options.ServiceIp };

        string hostName = Dns.GetHostName();
        if (hostName.Length > 0)
        {
            dns.Add(hostName);
        }
        if (options.IncludeInterfaceAddresses)
        {
            ips.AddRange(InterfaceAddresses());
        }
        foreach (string san in options.ExtraSans)
        {
            if (IPAddress.TryParse(san.Trim().Trim('[', ']'), out IPAddress? ip))
            {
                ips.Add(ip);
            }
            else
            {
                dns.Add(san);
            }
        }
        return new SubjectAlternativeNames(dns, ips);
    }

    /// <summary>The names in <paramref name="certificate"/>'s SAN extension (empty when it has none).</summary>
    public static SubjectAlternativeNames Of(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (extension is null)
        {
            return new SubjectAlternativeNames([], []);
        }
        return new SubjectAlternativeNames(extension.EnumerateDnsNames(), extension.EnumerateIPAddresses());
    }

    /// <summary>True when every name and address in <paramref name="other"/> is also in this set.</summary>
    public bool Covers(SubjectAlternativeNames other) =>
        other._dnsNames.IsSubsetOf(_dnsNames) && other._ipAddresses.IsSubsetOf(_ipAddresses);

    /// <summary>The union of both sets: re-issuing with it never drops a name an older client relies on.</summary>
    public SubjectAlternativeNames Union(SubjectAlternativeNames other) =>
        new(_dnsNames.Concat(other._dnsNames), _ipAddresses.Concat(other._ipAddresses).Select(IPAddress.Parse));

    public bool ContainsDnsName(string name) => _dnsNames.Contains(name.TrimEnd('.').ToLowerInvariant());

    public bool ContainsAddress(IPAddress address) => _ipAddresses.Contains(Canonical(address));

    /// <summary>The X.509 extension carrying this set.</summary>
    public X509Extension ToExtension()
    {
        var builder = new SubjectAlternativeNameBuilder();
        foreach (string name in _dnsNames)
        {
            builder.AddDnsName(name);
        }
        foreach (string ip in _ipAddresses)
        {
            builder.AddIpAddress(IPAddress.Parse(ip));
        }
        return builder.Build(critical: false);
    }

    public override string ToString() => string.Join(",", _dnsNames.Concat(_ipAddresses));

    private static string Canonical(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        // A certificate cannot carry a scope id (fe80::1%eth0); compare on the bare address.
        return new IPAddress(address.GetAddressBytes()).ToString();
    }

    private static IEnumerable<IPAddress> InterfaceAddresses()
    {
        NetworkInterface[] interfaces;
        try
        {
            interfaces = NetworkInterface.GetAllNetworkInterfaces();
        }
        catch (NetworkInformationException)
        {
            // Unreadable interface list (sandboxes): the fixed names and --tls-san still apply.
            yield break;
        }
        foreach (NetworkInterface nic in interfaces)
        {
            if (nic.OperationalStatus == OperationalStatus.Down)
            {
                continue;
            }
            foreach (UnicastIPAddressInformation unicast in nic.GetIPProperties().UnicastAddresses)
            {
                IPAddress address = unicast.Address;
                if (address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
                {
                    yield return address;
                }
            }
        }
    }
}
