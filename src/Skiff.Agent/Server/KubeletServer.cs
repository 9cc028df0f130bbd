using System.Security.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Skiff.Agent.Cri;

namespace Skiff.Agent.Server;

/// <summary>
/// The kubelet API on HTTPS :10250: Kestrel with the node's serving certificate, client certificates
/// checked by <see cref="KubeletAuthenticator"/>, and the upstream paths served by <see cref="KubeletApi"/>.
/// Start with <see cref="StartAsync"/>; dispose to stop (open streams are cut).
/// </summary>
public sealed class KubeletServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KubeletServer(WebApplication app) => _app = app;

    /// <summary>The port actually bound (the option may be 0).</summary>
    public int Port => new Uri(_app.Urls.First()).Port;

    public static async Task<KubeletServer> StartAsync(KubeletServerOptions options, RuntimeServiceClient runtime, ILoggerFactory loggers, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "skiff-kubelet", ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(3));
        builder.Services.AddSingleton<IHostLifetime, CallerOwnedLifetime>();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MinResponseDataRate = null;
            k.Listen(options.BindAddress, options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2; // streams need HTTP/1.1 upgrades; logs may use either
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = options.ServingCertificate;
                    https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
                    // Asked for, judged per request: a bad or missing certificate gets a 401 the caller can read.
                    https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                    https.CheckCertificateRevocation = false;
                    https.ClientCertificateValidation = (_, _, _) => true;
                });
            });
        });
        var app = builder.Build();
        var api = new KubeletApi(new RuntimePods(runtime), runtime, options.Pods, new KubeletAuthenticator(options.ClientCaPem, options.AllowedUsers),
            loggers.CreateLogger<KubeletApi>());
        app.Run(api.HandleAsync);
        await app.StartAsync(ct).ConfigureAwait(false);
        loggers.CreateLogger<KubeletServer>().LogInformation("Kubelet API listening on https://{Address}:{Port}", options.BindAddress, new Uri(app.Urls.First()).Port);
        return new KubeletServer(app);
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try { await _app.StopAsync(cts.Token).ConfigureAwait(false); } catch (OperationCanceledException) { }
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Process signals belong to the command that runs the agent.</summary>
    private sealed class CallerOwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
