using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Skiff.ApiServer.Pki;

/// <summary>Reads and builds the subject fields Kubernetes gives meaning to: CN is the user, each O a group.</summary>
public static class CertificateSubject
{
    private const string CommonNameOid = "2.5.4.3";
    private const string OrganizationOid = "2.5.4.10";

    /// <summary>Builds a subject with the organizations first and the common name last, the order Go writes them.</summary>
    public static X500DistinguishedName Build(string commonName, IEnumerable<string> organizations)
    {
        var builder = new X500DistinguishedNameBuilder();
        foreach (string organization in organizations)
        {
            builder.AddOrganizationName(organization);
        }
        builder.AddCommonName(commonName);
        return builder.Build();
    }

    /// <summary>The last common name in the subject, or null when there is none.</summary>
    public static string? CommonName(X500DistinguishedName name)
    {
        string? result = null;
        foreach (string value in ValuesOf(name, CommonNameOid))
        {
            result = value;
        }
        return result;
    }

    /// <summary>Every organization in the subject, in order.</summary>
    public static IReadOnlyList<string> Organizations(X500DistinguishedName name) => ValuesOf(name, OrganizationOid).ToArray();

    private static IEnumerable<string> ValuesOf(X500DistinguishedName name, string oid)
    {
        foreach (X500RelativeDistinguishedName rdn in name.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.HasMultipleElements)
            {
                // Multi-valued RDNs are legal but nobody issues them for Kubernetes users; skip rather than guess.
                continue;
            }
            if (rdn.GetSingleElementType().Value == oid && rdn.GetSingleElementValue() is { } value)
            {
                yield return value;
            }
        }
    }
}
