namespace Skiff.ApiServer.Pki;

/// <summary>What a leaf certificate should say: who it is, which groups, what it may be used for.</summary>
/// <param name="CommonName">Subject CN: the user name for client certificates.</param>
/// <param name="Organizations">Subject O values: the groups for client certificates.</param>
/// <param name="Usage">Server or client authentication (the extended key usage).</param>
/// <param name="AlternativeNames">SANs; required for serving certificates, null for client certificates.</param>
public sealed record LeafRequest(
    string CommonName,
    IReadOnlyList<string> Organizations,
    LeafUsage Usage,
    SubjectAlternativeNames? AlternativeNames = null);

public enum LeafUsage
{
    ServerAuth,
    ClientAuth,
}
