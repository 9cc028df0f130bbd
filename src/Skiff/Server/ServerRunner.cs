using Microsoft.Extensions.Logging;
using Skiff.ApiServer;
using Skiff.ApiServer.Pki;
using Skiff.Storage.Sqlite;

namespace Skiff.Server;

/// <summary>
/// Composes the server roles in order, each gated on the one before it (datastore ready →
/// PKI → API server listening → bootstrap objects → kubeconfig written), then runs until
/// cancelled (SIGTERM/SIGINT).
/// </summary>
public static class ServerRunner
{
    public static async Task<int> RunAsync(ServerOptions o, CancellationToken commandToken)
    {
        using var lifetime = new Skiff.Commands.ProcessLifetime(commandToken);
        var ct = lifetime.Token;
        var loggers = lifetime.Loggers;
        var log = loggers.CreateLogger("skiff");
        log.LogInformation("Starting skiff {Version} (Kubernetes {Kube}); data dir {DataDir}", VersionInfo.SkiffVersion, VersionInfo.KubernetesVersion, o.DataDir);

        Directory.CreateDirectory(o.DataDir);
        Directory.CreateDirectory(Path.GetDirectoryName(o.DbPath)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var pki = ClusterPki.LoadOrCreate(o.TlsDir, ServingCertificateOptions.ForServiceCidr(o.ServiceCidr, o.TlsSans));
        Skiff.Api.Join.JoinToken joinToken;
        try { joinToken = Skiff.ApiServer.Join.JoinTokenStore.LoadOrCreate(o.ServerDir, pki.ServerCa.CertificatePem, o.Token); }
        catch (FormatException e)
        {
            log.LogError("Cannot use the join token: {Message}", e.Message);
            return 1;
        }

        await using var store = await SqliteStore.OpenAsync(new SqliteStoreOptions { Path = o.DbPath, CompactInterval = o.CompactInterval, CompactKeep = o.CompactKeep, CompactMinAge = o.CompactMinAge }, loggers.CreateLogger("datastore"), ct);
        log.LogInformation("Datastore ready at {Path} (revision {Revision})", o.DbPath, store.CurrentRevision);

        var apiOptions = new ApiServerOptions
        {
            BindAddress = o.BindAddress,
            Port = o.HttpsListenPort,
            ServiceCidr = o.ServiceCidr,
            NodePortRange = o.NodePortRange,
            RuntimeConfig = o.RuntimeConfig,
            AdvertiseAddress = AdvertiseAddress(o),
            ServiceAccountKeyFile = Path.Combine(o.TlsDir, "service.key"),
            KubeletClient = KubeletClient(pki),
            JoinToken = joinToken,
        };
        var components = ApiServerComposition.Build(store, apiOptions, loggers);
        await components.Objects.LoadAllocationsAsync(ct);
        await using var host = await ApiServerHost.StartAsync(apiOptions, components, pki, loggers, ct);
        log.LogInformation("API server listening on https://{Address}:{Port}", o.BindAddress, host.Port);

        await Bootstrap.RunAsync(components.Objects, apiOptions, ct);
        var namespaceLifecycle = new Skiff.ApiServer.Registry.NamespaceLifecycle(components.Objects, loggers.CreateLogger("namespaces")).RunAsync(ct);
        // Stored CRDs are served before the server reports ready; the controller then follows changes.
        var crdController = new Skiff.ApiServer.CustomResources.CrdController(components.Objects, loggers.CreateLogger("crds"));
        var crdRevision = await crdController.LoadAsync(ct);
        var crds = crdController.RunAsync(crdRevision, ct);

        var serverUrl = $"https://127.0.0.1:{host.Port}";
        KubeconfigWriter.WriteAdmin(o.KubeconfigPath, serverUrl, pki, o.WriteKubeconfigMode);
        log.LogInformation("Wrote kubeconfig {Path}", o.KubeconfigPath);
        log.LogInformation("Agents join with: skiff agent --server https://<this host>:{Port} --token-file {Token}", host.Port, Path.Combine(o.ServerDir, Skiff.ApiServer.Join.JoinTokenStore.FileName));
        var controllers = RunControllersAsync(serverUrl, pki, o, loggers, ct);
        var agent = o.DisableAgent ? Task.CompletedTask : RunAgentAsync(o, serverUrl, pki, components.Objects, loggers, ct);
        var scheduler = o.DisableScheduler ? Task.CompletedTask : RunSchedulerAsync(serverUrl, pki, loggers, ct);
        var simulated = o.SimulatedNodes > 0 ? RunSimulatedNodesAsync(serverUrl, pki, o.SimulatedNodes, loggers, ct) : Task.CompletedTask;
        log.LogInformation("Skiff is ready");
        Skiff.Runtime.StartupPages.Log(log);
        var memory = Skiff.Diagnostics.MemoryReporter.RunIfEnabledAsync(loggers.CreateLogger("memory"), ct);

        try { await Task.WhenAll(Task.Delay(Timeout.Infinite, ct), namespaceLifecycle, crds, controllers, agent, scheduler, simulated, memory); }
        catch (OperationCanceledException) { }
        foreach (var component in new[] { controllers, agent, scheduler, simulated })
        {
            try { await component; } catch (OperationCanceledException) { }
        }
        log.LogInformation("Shutting down");
        return 0;
    }

    /// <summary>
    /// The controller manager, as an API client with its own certificate (CN=system:kube-controller-manager),
    /// talking to this server over loopback like any other client.
    /// </summary>
    private static async Task RunControllersAsync(string serverUrl, ClusterPki pki, ServerOptions o, ILoggerFactory loggers, CancellationToken ct)
    {
        using var client = ComponentClient(serverUrl, pki, "system:kube-controller-manager", [], "client-controller", "skiff-controller-manager");
        await new Skiff.Controllers.ControllerManager(client, new Skiff.Controllers.ControllerManagerOptions
        {
            RootCaPem = pki.ServerCa.CertificatePem, ClusterCidr = o.ClusterCidr, NodeLifecycle = o.NodeLifecycle, PodGc = o.PodGc,
        }, loggers).RunAsync(ct);
    }

    /// <summary>
    /// The local agent, as a node client (CN=system:node:&lt;name&gt;, O=system:nodes) over loopback. Its node name is
    /// bound to its node password (&lt;data-dir&gt;/agent/node-password) as a joining agent's is, so no agent can join under
    /// the server's own name; a name another machine holds already keeps this agent from starting (logged, retried). A
    /// failing agent is logged and restarted after a pause; it never takes the control plane down.
    /// </summary>
    private static async Task RunAgentAsync(ServerOptions o, string serverUrl, ClusterPki pki, Skiff.ApiServer.Registry.ObjectRegistry objects,
        ILoggerFactory loggers, CancellationToken ct)
    {
        var log = loggers.CreateLogger("agent");
        var password = Skiff.Agent.JoinedNodeFiles.In(o.DataDir).NodePassword();
        using var client = ComponentClient(serverUrl, pki, "system:node:" + o.Agent.NodeName, ["system:nodes"], "client-kubelet", "skiff-kubelet");
        var nodeIp = o.Agent.NodeIp ?? Skiff.Agent.Kubelet.MachineInfo.DetectHostIp();
        var serving = pki.IssueKubeletServingCertificate(o.Agent.NodeName, [System.Net.IPAddress.Parse(nodeIp)]);
        var credentials = new Skiff.Agent.AgentCredentials(serving.Certificate, pki.ClientCa.CertificatePem, pki.ServerCa.CertificatePem);
        await KeepRunning("agent", async c =>
        {
            await Skiff.ApiServer.Join.NodePasswords.BindAsync(objects, o.Agent.NodeName, password, log, c);
            await Skiff.Agent.AgentRunner.RunAsync(o.DataDir, o.Agent with { NodeIp = nodeIp }, client, credentials, controlPlane: true, VersionInfo.GitVersion, loggers, c);
        }, log, ct);
    }

    /// <summary>The API server's client certificate towards kubelets (CN=system:kube-apiserver); kubelets present server-CA certificates.</summary>
    private static Skiff.ApiServer.Kubelet.KubeletClientOptions KubeletClient(ClusterPki pki)
    {
        var cert = pki.IssueClientCertificate(ClusterPki.KubeletClientUser, [], ClusterPki.KubeletClientFileBaseName);
        return new Skiff.ApiServer.Kubelet.KubeletClientOptions(cert.CertificatePem, cert.KeyPem, pki.ServerCa.CertificatePem);
    }

    /// <summary>
    /// The scheduler, as an API client with its own certificate (CN=system:kube-scheduler), leader-elected on
    /// the kube-system/kube-scheduler lease under this machine's name (a restarted server takes its lease back at once).
    /// </summary>
    private static async Task RunSchedulerAsync(string serverUrl, ClusterPki pki, ILoggerFactory loggers, CancellationToken ct)
    {
        using var client = ComponentClient(serverUrl, pki, "system:kube-scheduler", [], "client-scheduler", "skiff-scheduler");
        await KeepRunning("scheduler", c => new Skiff.Scheduler.SchedulerHost(client, Skiff.Scheduler.SchedulerOptions.Default, loggers, Environment.MachineName).RunAsync(c),
            loggers.CreateLogger("scheduler"), ct);
    }

    /// <summary>Simulated nodes (--simulated-nodes, for tests and benchmarks), with an identity in the system:nodes group.</summary>
    private static async Task RunSimulatedNodesAsync(string serverUrl, ClusterPki pki, int count, ILoggerFactory loggers, CancellationToken ct)
    {
        using var client = ComponentClient(serverUrl, pki, "system:node:skiff-simulated", ["system:nodes"], "client-simulated-nodes", "skiff-simulated-nodes");
        var options = new Skiff.Controllers.SimulatedNodes.SimulatedNodeOptions { Count = count };
        await KeepRunning("simulated-nodes", c => new Skiff.Controllers.SimulatedNodes.SimulatedNodes(client, options, loggers).RunAsync(c),
            loggers.CreateLogger("simulated-nodes"), ct);
    }

    private static Skiff.Client.KubeClient ComponentClient(string serverUrl, ClusterPki pki, string commonName, string[] groups, string fileName, string userAgent)
    {
        var cert = pki.IssueClientCertificate(commonName, groups, fileName);
        return new Skiff.Client.KubeClient(Skiff.Client.Rest.ApiConnection.Create(new Skiff.Client.Rest.ClientConfig
        {
            Server = new Uri(serverUrl),
            CertificateAuthorityPem = pki.ServerCa.CertificatePem,
            ClientCertificatePem = cert.CertificatePem,
            ClientKeyPem = cert.KeyPem,
            UserAgent = userAgent,
        }));
    }

    private static Task KeepRunning(string name, Func<CancellationToken, Task> run, ILogger log, CancellationToken ct) =>
        Skiff.Controllers.Common.Restarting.RunAsync(name, run, log, ct);

    private static string AdvertiseAddress(ServerOptions o) =>
        o.BindAddress.Equals(System.Net.IPAddress.Any) || o.BindAddress.Equals(System.Net.IPAddress.IPv6Any) ? "127.0.0.1" : o.BindAddress.ToString();
}
