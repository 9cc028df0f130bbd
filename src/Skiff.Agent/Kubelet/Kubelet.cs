using Microsoft.Extensions.Logging;
using Skiff.Agent.Cni;
using Skiff.Agent.Kubelet.Cgroups;
using Skiff.Agent.Kubelet.Eviction;
using Skiff.Agent.Kubelet.Probes;
using Skiff.Agent.Volumes;
using Skiff.Api.Models.Core.V1;
using Skiff.Client;
using Skiff.Client.Events;
using Skiff.Client.Informers;
using Skiff.Client.Rest;

namespace Skiff.Agent.Kubelet;

/// <summary>
/// The kubelet, composed in one place for <c>skiff server</c> and <c>skiff agent</c>: registers the Node,
/// keeps its status and Lease current, waits for the node's pod CIDR and writes the pod network config,
/// then runs the pods bound to this node (an informer with field selector spec.nodeName=&lt;node&gt;) through
/// one worker per pod, woken by API changes, runtime changes (the PLEG) and probe results. State lives in
/// the API and the runtime, so a restarted kubelet re-adopts running pods by their CRI labels. What it does
/// to pods and the node is reported as core/v1 Events (source kubelet, host the node), written in the background.
/// </summary>
public sealed class Kubelet(KubeClient client, NodeRuntime node, AgentOptions agent, KubeletOptions options, ILoggerFactory loggers,
    IVolumeManager? volumes = null, Server.KnownPods? known = null)
{
    public const string UidIndex = "uid";

    public async Task RunAsync(CancellationToken ct)
    {
        var recorder = new CoreEventRecorder(new ApiCoreEventSink(client),
            new CoreEventRecorderOptions { Component = "kubelet", Host = options.NodeName, ReportingInstance = options.NodeName },
            loggers.CreateLogger("Skiff.Agent.Kubelet.Events"));
        // The writer lives exactly as long as this run, however it ends (a failed run is restarted by the caller).
        using var stopEvents = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var writer = Task.Run(() => recorder.RunAsync(stopEvents.Token), CancellationToken.None);
        try { await RunAsync(new RecordedKubeletEvents(recorder), ct).ConfigureAwait(false); }
        finally
        {
            await stopEvents.CancelAsync().ConfigureAwait(false);
            await writer.ConfigureAwait(false);
        }
    }

    private async Task RunAsync(IKubeletEvents events, CancellationToken ct)
    {
        var log = loggers.CreateLogger<Kubelet>();
        var background = new List<Task>();
        var machine = MachineInfo.Read(agent.DataDir);
        var hostIp = options.NodeIp ?? MachineInfo.DetectHostIp();
        var registrar = new NodeRegistrar(client, options, machine, loggers.CreateLogger<NodeRegistrar>());
        var registered = await registrar.RegisterAsync(ct).ConfigureAwait(false);
        events.Record(KubeletEvents.NodeRef(options.NodeName), EventTypes.Normal, EventReasons.Starting, "Starting kubelet.");
        PodWorkers? workers = null;
        var evictions = new Evictions();
        var signals = new NodeSignals(agent.DataDir, node.Images);
        var imageGc = new ImageGc.ImageGarbageCollector(node.Runtime, node.Images, () => node.PinnedImages,
            async c => (await signals.ObserveAsync(c).ConfigureAwait(false)).GetValueOrDefault(EvictionSignals.ImageFsAvailable),
            options.ImageGc, options.NodeName, loggers.CreateLogger<ImageGc.ImageGarbageCollector>(), events);
        var pressure = new NodePressureEvictor([.. options.EvictionHard, .. options.EvictionSoft], options.EvictionPressureTransitionPeriod, evictions,
            uid => workers?.Signal(uid), options.NodeName, loggers.CreateLogger<NodePressureEvictor>(), events,
            new NodeReclaimer(node.Runtime, imageGc, loggers.CreateLogger<NodeReclaimer>()),
            options.EvictionMaxPodGracePeriodSeconds);
        var reporter = new NodeStatusReporter(client, node.Runtime, options, machine, hostIp, loggers.CreateLogger<NodeStatusReporter>(), events,
            () => pressure.Conditions);
        var lease = new LeaseRenewer(client, options, () => registered.Metadata?.Uid, loggers.CreateLogger<LeaseRenewer>());
        background.Add(Task.Run(() => reporter.RunAsync(ct), CancellationToken.None));
        background.Add(Task.Run(() => lease.RunAsync(ct), CancellationToken.None));

        var podCidr = await registrar.WaitForPodCidrAsync(ct).ConfigureAwait(false);
        if (agent.ContainerRuntimeEndpoint is null)
        {
            if (await CniConfig.ApplyAsync(agent with { PodCidr = podCidr }, log, ct).ConfigureAwait(false))
                log.LogInformation("Pod network: {Cidr} on bridge {Bridge}", podCidr, agent.CniBridge);
        }
        await reporter.ReportAsync(ct).ConfigureAwait(false);

        using var http = new HttpProber();
        using var grpc = new GrpcProber();
        var runtime = new ContainerRuntimeManager(node.Runtime, loggers.CreateLogger<ContainerRuntimeManager>());
        await using var probes = new ProbeManager(new ProberSet(new ExecProber(runtime), http, new TcpProber(), grpc),
            uid => workers?.Signal(uid), loggers.CreateLogger<ProbeManager>(), events);
        var facts = new NodeFacts(hostIp, machine.Cpus, NodeStatusReporter.AllocatableMemory(machine, options));
        var cgroups = PodCgroups.Create(Containerd.CgroupDrivers.Detect(), machine.Cpus, loggers);
        var syncer = new PodSyncer(
            runtime,
            new ImageManager(node.Images, new Backoff(options.BackoffInitial, options.BackoffMax), loggers.CreateLogger<ImageManager>(), events),
            new EnvBuilder(new ApiConfigSource(client)),
            volumes ?? new EmptyDirOnlyVolumeManager(agent.Paths, loggers.CreateLogger<EmptyDirOnlyVolumeManager>()),
            probes,
            new LifecycleHookRunner(runtime, http),
            new StatusManager(new ApiPodStatusWriter(client), loggers.CreateLogger<StatusManager>()),
            new ApiPodDeleter(client),
            new Backoff(options.BackoffInitial, options.BackoffMax),
            agent.Paths,
            () => facts,
            loggers.CreateLogger<PodSyncer>(),
            events,
            cgroups,
            evictions,
            pressure.Admit);

        await using var informers = new SharedInformerFactory(client,
            new SharedInformerOptions { Selectors = new ListOptions { FieldSelector = $"spec.nodeName={options.NodeName}" } }, loggers);
        var pods = informers.For<Pod, PodList>();
        pods.AddIndex(UidIndex, p => p.Metadata?.Uid is { Length: > 0 } uid ? [uid] : []);
        known?.UseSource(pods.Store.List);
        workers = new PodWorkers((uid, state, c) => syncer.SyncAsync(uid, pods.Store.ByIndex(UidIndex, uid).FirstOrDefault(), state, c),
            options.PodResyncPeriod, loggers.CreateLogger<PodWorkers>());
        await using var _ = workers;
        pods.AddEventHandler(ResourceEventHandler<Pod>.ForAll(p => workers.Signal(PodNaming.Uid(p))));
        // The conditions hold before the first pod is admitted; pods are evicted only from the loop below.
        await pressure.SynchronizeAsync(await signals.ObserveAsync(ct).ConfigureAwait(false), [],
            _ => Task.FromResult<IReadOnlyDictionary<string, PodUsage>>(new Dictionary<string, PodUsage>()), DateTimeOffset.UtcNow).ConfigureAwait(false);
        informers.Start(ct);
        await informers.WaitForCacheSyncAsync(ct).ConfigureAwait(false);
        log.LogInformation("Kubelet on node {Node} is running {Count} pod(s)", options.NodeName, pods.Store.Count);

        var pleg = new PodLifecycleEventGenerator(runtime, workers.Signal, options.RelistPeriod, loggers.CreateLogger<PodLifecycleEventGenerator>());
        background.Add(Task.Run(() => pleg.RunAsync(ct), CancellationToken.None));
        var emptyDirs = new EmptyDirLimitMonitor(pods.Store.List, uid => PodNaming.PodDirectory(agent.Paths, uid), evictions, workers.Signal,
            options.EvictionMonitoringPeriod, loggers.CreateLogger<EmptyDirLimitMonitor>());
        background.Add(Task.Run(() => emptyDirs.RunAsync(ct), CancellationToken.None));
        var logs = new Logs.ContainerLogRotator(node.Runtime, options.ContainerLogs, loggers.CreateLogger<Logs.ContainerLogRotator>());
        background.Add(Task.Run(() => logs.RunAsync(options.ContainerLogMonitorInterval, ct), CancellationToken.None));
        var usage = new PodUsageReader(node.Runtime, agent.Paths, cgroups, cgroups is PodCgroups ? CgroupFs.Detect() : null);
        background.Add(Task.Run(() => pressure.RunAsync(signals, pods.Store.List, usage, options.EvictionMonitoringPeriod, ct), CancellationToken.None));
        background.Add(Task.Run(async () =>
        {
            // The first collection runs at once, as upstream's, but only once the air-gap images are named again.
            await node.ImagesScanned.WaitAsync(ct).ConfigureAwait(false);
            await imageGc.RunAsync(ct).ConfigureAwait(false);
        }, CancellationToken.None));
        try { await Task.WhenAll(background).ConfigureAwait(false); }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }
}
