using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Skiff.ApiServer.Authentication;
using Skiff.ApiServer.Pki;

namespace Skiff.ApiServer.Tests.Authentication;

/// <summary>
/// A tiny HTTPS server on 127.0.0.1 (ephemeral port) configured with <see cref="TlsSetup"/> that answers
/// <c>/whoami</c> with <c>name=…;groups=…;protocol=…</c>, or 401 when the client certificate is rejected.
/// </summary>
public sealed class WhoAmIServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WhoAmIServer(WebApplication app, ClientCertificateAuthenticator authenticator, Uri baseAddress)
    {
        _app = app;
        Authenticator = authenticator;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public ClientCertificateAuthenticator Authenticator { get; }

    public static async Task<WhoAmIServer> StartAsync(ClusterPki pki, UntrustedClientCertificatePolicy policy, CancellationToken cancellationToken)
    {
        var authenticator = new ClientCertificateAuthenticator(pki);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseApiServerTls(pki, authenticator, policy)));
        WebApplication app = builder.Build();
        app.Run(async context =>
        {
            AuthenticationResult result = authenticator.Authenticate(context);
            if (result.UserOrAnonymous is not { } user)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await context.Response.WriteAsync("Unauthorized", context.RequestAborted);
                return;
            }
            await context.Response.WriteAsync(
                $"name={user.Name};groups={string.Join(",", user.Groups)};protocol={context.Request.Protocol}", context.RequestAborted);
        });
        await app.StartAsync(cancellationToken);
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new WhoAmIServer(app, authenticator, new Uri(address));
    }

    /// <summary>
    /// A client that trusts only the server CA (so the serving certificate and its SANs are really
    /// checked) and always presents <paramref name="clientCertificate"/> when given.
    /// </summary>
    public static HttpClient CreateClient(ClusterPki pki, X509Certificate2? clientCertificate)
    {
        var chainPolicy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        chainPolicy.CustomTrustStore.Add(pki.ServerCa.Certificate);
        var ssl = new SslClientAuthenticationOptions { CertificateChainPolicy = chainPolicy };
        if (clientCertificate is not null)
        {
            ssl.ClientCertificates = [clientCertificate];
            // Present it even if the server's acceptable-issuer list would filter it out: the test
            // must prove the server rejects a foreign certificate, not that the client withheld it.
            ssl.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
        }
        return new HttpClient(new SocketsHttpHandler { SslOptions = ssl, PooledConnectionLifetime = TimeSpan.FromMinutes(1) });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
