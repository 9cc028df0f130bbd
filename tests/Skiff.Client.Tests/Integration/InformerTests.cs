using Skiff.Api.Models.Core.V1;
using Skiff.Client.Informers;

namespace Skiff.Client.Tests.Integration;

[Collection(ServerCollection.Name)]
public sealed class InformerTests(ServerFixture fx)
{
    [Fact]
    public async Task InformerSeesAddUpdateDeleteAndIndexes()
    {
        var ns = await fx.NewNamespaceAsync("inf");
        var cms = fx.Client.ConfigMaps;
        await cms.CreateAsync(new ConfigMap { Metadata = new() { Name = "before", Namespace = ns } });

        await using var factory = new SharedInformerFactory(fx.Client);
        var informer = factory.For<ConfigMap, ConfigMapList>(ns);
        Assert.Same(informer, factory.For<ConfigMap, ConfigMapList>(ns));
        informer.AddIndex(Indexers.OwnerUid, Indexers.ByOwnerUid(informer.Codec));
        var handler = new RecordingHandler<ConfigMap>(c => c.Metadata!.Name!);
        informer.AddEventHandler(handler);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        factory.Start(cts.Token);
        await factory.WaitForCacheSyncAsync(cts.Token);
        Assert.True(informer.HasSynced);
        Assert.True(handler.Saw("add:before"), "the initial list reaches the handler before HasSynced");

        var owner = await cms.CreateAsync(new ConfigMap { Metadata = new() { Name = "owner", Namespace = ns } });
        await cms.CreateAsync(new ConfigMap
        {
            Metadata = new()
            {
                Name = "owned", Namespace = ns,
                OwnerReferences = [new() { ApiVersion = "v1", Kind = "ConfigMap", Name = "owner", Uid = owner.Metadata!.Uid }],
            },
        });
        await Eventually.TrueAsync(() => handler.Saw("add:owned"), "add of owned");
        Assert.Equal(["owned"], informer.Store.ByIndex(Indexers.OwnerUid, owner.Metadata.Uid!).Select(c => c.Metadata!.Name));
        // (kube-root-ca.crt, the root CA publisher's, may be there too.)
        Assert.Equal(3, informer.Store.ByIndex(Indexers.Namespace, ns).Count(c => c.Metadata!.Name != "kube-root-ca.crt"));
        Assert.Null(informer.Store.Get(ns, "owned")!.Metadata!.ManagedFields);

        await cms.PatchAsync(ns, "before", Rest.PatchType.Merge, """{"data":{"x":"1"}}""");
        await Eventually.TrueAsync(() => handler.Saw("update:before"), "update of before");
        Assert.Equal("1", informer.Store.Get(ns, "before")!.Data!["x"]);

        await cms.DeleteAsync(ns, "owned");
        await Eventually.TrueAsync(() => handler.Saw("delete:owned"), "delete of owned");
        Assert.Null(informer.Store.Get(ns, "owned"));
        Assert.Empty(informer.Store.ByIndex(Indexers.OwnerUid, owner.Metadata.Uid!));

        // A handler added late gets the current contents first.
        var late = new RecordingHandler<ConfigMap>(c => c.Metadata!.Name!);
        informer.AddEventHandler(late);
        static IEnumerable<string> Ours(IEnumerable<string> events) => events.Where(e => !e.EndsWith(":kube-root-ca.crt"));
        await Eventually.TrueAsync(() => Ours(late.Events).Count() == 2, "replay to the late handler");
        Assert.Equal(["add:before", "add:owner"], Ours(late.Events).Order());
    }

    [Fact]
    public async Task PodInformerIndexesByNodeName()
    {
        var ns = await fx.NewNamespaceAsync("pods");
        await using var factory = new SharedInformerFactory(fx.Client);
        var informer = factory.For<Pod, PodList>(ns);
        informer.AddIndex(Indexers.NodeName, Indexers.PodNodeName);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        factory.Start(cts.Token);
        await factory.WaitForCacheSyncAsync(cts.Token);

        Pod NewPod(string name, string? node) => new()
        {
            Metadata = new() { Name = name, Namespace = ns },
            Spec = new() { NodeName = node, Containers = [new() { Name = "c", Image = "busybox" }] },
        };
        await fx.Client.Pods.CreateAsync(NewPod("p1", "node-a"));
        await fx.Client.Pods.CreateAsync(NewPod("p2", "node-b"));
        await fx.Client.Pods.CreateAsync(NewPod("p3", null));
        await Eventually.TrueAsync(() => informer.Store.Count == 3, "three pods cached");
        Assert.Equal(["p1"], informer.Store.ByIndex(Indexers.NodeName, "node-a").Select(p => p.Metadata!.Name));
        Assert.Empty(informer.Store.ByIndex(Indexers.NodeName, ""));

        await fx.Client.Pods.BindAsync(ns, "p3", "node-a");
        await Eventually.TrueAsync(() => informer.Store.ByIndex(Indexers.NodeName, "node-a").Count == 2, "binding moves p3 into node-a's index");
    }
}
