using Microsoft.Extensions.Logging;
using Skiff.Agent.Join;
using Skiff.Api.Join;

namespace Skiff.Agent;

/// <summary>Everything <c>skiff agent</c> was told.</summary>
public sealed record JoinedAgentOptions
{
    public required string DataDir { get; init; }
    public required Uri Server { get; init; }
    public required JoinToken Token { get; init; }
    public AgentSettings Agent { get; init; } = new();
}

/// <summary>
/// <c>skiff agent</c>: joins the server with the token (retrying while the server cannot be reached, giving up at
/// once when it refuses), keeps the node's credentials under the data dir, then runs the same agent role as
/// <c>skiff server</c> (<see cref="AgentRunner"/>) until SIGTERM/SIGINT, restarting it if it fails.
/// </summary>
public static class JoinedAgentRunner
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(JoinedAgentOptions o, CancellationToken commandToken)
    {
        using var lifetime = new Skiff.Commands.ProcessLifetime(commandToken);
        var ct = lifetime.Token;
        var log = lifetime.Loggers.CreateLogger("skiff");
        var settings = o.Agent with { NodeIp = o.Agent.NodeIp ?? Kubelet.MachineInfo.DetectHostIp() };
        log.LogInformation("Starting skiff agent {Version}; data dir {DataDir}; joining {Server} as node {Node} ({Ip})",
            ApiServer.VersionInfo.SkiffVersion, o.DataDir, o.Server, settings.NodeName, settings.NodeIp);
        if (o.Token.CaHash is null)
            log.LogWarning("The token has no CA hash (short form): the server's CA is trusted as first served. Use the full K10… token from the server's data dir to check it");

        Directory.CreateDirectory(o.DataDir);
        var files = JoinedNodeFiles.In(o.DataDir);
        var request = new NodeJoinRequest(settings.NodeName, [settings.NodeIp!], files.NodePassword());
        NodeJoinResponse joined;
        try { joined = await JoinAsync(new NodeJoiner(o.Server, o.Token), request, log, ct); }
        catch (JoinException e)
        {
            log.LogError("Cannot join {Server}: {Reason}", o.Server, e.Message);
            return 1;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { return 0; }
        files.Save(joined, o.Server);
        log.LogInformation("Joined {Server}; node credentials in {Dir}", o.Server, files.TlsDir);

        using var client = new Skiff.Client.KubeClient(Skiff.Client.Rest.ApiConnection.Create(new Skiff.Client.Rest.ClientConfig
        {
            Server = o.Server,
            CertificateAuthorityPem = joined.ServerCaPem,
            ClientCertificatePem = joined.ClientCertificatePem,
            ClientKeyPem = joined.ClientKeyPem,
            UserAgent = "skiff-kubelet",
        }));
        // Kestrel's TLS wants a PKCS#12-backed key, as the server's own certificates are loaded.
        using var serving = Skiff.ApiServer.Pki.PemCertificates.LoadWithKey(joined.ServingCertificatePem, joined.ServingKeyPem);
        var credentials = new AgentCredentials(serving, joined.ClientCaPem, joined.ServerCaPem);
        var agent = Skiff.Controllers.Common.Restarting.RunAsync("agent",
            c => AgentRunner.RunAsync(o.DataDir, settings, client, credentials, controlPlane: false, ApiServer.VersionInfo.GitVersion, lifetime.Loggers, c),
            lifetime.Loggers.CreateLogger("agent"), ct);
        Skiff.Runtime.StartupPages.Log(log);
        var memory = Skiff.Diagnostics.MemoryReporter.RunIfEnabledAsync(lifetime.Loggers.CreateLogger("memory"), ct);
        try { await Task.WhenAll(agent, memory); }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        log.LogInformation("Shutting down");
        return 0;
    }

    /// <summary>Asks until the server answers: a server still starting (or briefly away) is waited for, a refusal is final.</summary>
    private static async Task<NodeJoinResponse> JoinAsync(NodeJoiner joiner, NodeJoinRequest request, ILogger log, CancellationToken ct)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (true)
        {
            try { return await joiner.JoinAsync(request, ct); }
            catch (JoinException e) when (!e.Permanent)
            {
                log.LogWarning("Join failed, retrying in {Delay}s: {Reason}", delay.TotalSeconds, e.Message);
                await Task.Delay(delay, ct);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }
}
