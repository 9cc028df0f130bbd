using Skiff.Api.Models.Core.V1;
using Skiff.Client.Informers;
using Skiff.E2E;

namespace Skiff.Client.Tests.Integration;

/// <summary>Informers survive the API server going away and coming back (the scheduler's acceptance test).</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task InformerResumesAfterServerRestartAndEndsWithTheServersSet()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "skiff-client-restart-" + Guid.NewGuid().ToString("N")[..8]);
        var port = SkiffServer.FreePort();
        try
        {
            // Disposed on every path (also when an assertion fails before the restart), so no server outlives the test.
            await using var first = new SkiffServer(dataDir, port);
            await first.StartAsync();
            using var client = KubeClient.FromKubeconfig(first.Kubeconfig);
            var ns = "restart";
            await client.Namespaces.CreateAsync(new Namespace { Metadata = new() { Name = ns } });
            for (var i = 0; i < 5; i++)
                await client.ConfigMaps.CreateAsync(new ConfigMap { Metadata = new() { Name = $"cm-{i}", Namespace = ns } });

            var log = new ListLogger();
            await using var factory = new SharedInformerFactory(client, loggers: log);
            var informer = factory.For<ConfigMap, ConfigMapList>(ns);
            var handler = new RecordingHandler<ConfigMap>(c => c.Metadata!.Name!);
            informer.AddEventHandler(handler);
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            factory.Start(cts.Token);
            await factory.WaitForCacheSyncAsync(cts.Token);
            // (kube-root-ca.crt, the root CA publisher's, may be there too.)
            Assert.Equal(5, informer.Store.List().Count(c => c.Metadata!.Name != "kube-root-ca.crt"));

            await first.StopAsync();
            await first.DisposeAsync();

            await using var second = new SkiffServer(dataDir, port);
            await second.StartAsync();
            // Changes made once the server is back: the informer must pick them up by resuming its watch.
            await client.ConfigMaps.CreateAsync(new ConfigMap { Metadata = new() { Name = "after-restart", Namespace = ns } });
            await client.ConfigMaps.DeleteAsync(ns, "cm-0");
            await client.ConfigMaps.PatchAsync(ns, "cm-1", Rest.PatchType.Merge, """{"data":{"v":"2"}}""");

            var expected = await client.ConfigMaps.ListAllAsync(ns);
            string Snapshot(IEnumerable<ConfigMap> items) =>
                string.Join(",", items.Select(c => $"{c.Metadata!.Name}@{c.Metadata.ResourceVersion}").Order());
            await Eventually.TrueAsync(() => Snapshot(informer.Store.List()) == Snapshot(expected.Items),
                "the cache equals the server's set after the restart", TimeSpan.FromSeconds(60),
                () => $"cache {Snapshot(informer.Store.List())}\nserver {Snapshot(expected.Items)}\n{log}");
            Assert.True(handler.Saw("add:after-restart"));
            Assert.True(handler.Saw("delete:cm-0") || handler.Saw("tombstone:cm-0"));
            Assert.Equal("2", informer.Store.Get(ns, "cm-1")!.Data!["v"]);
            // It resumed the watch from its last resourceVersion (the store keeps history), not by relisting.
            Assert.True(informer.ListCount == 1, $"relisted {informer.ListCount - 1} times:\n{log}");
            Assert.True(handler.Saw("delete:cm-0"), string.Join(",", handler.Events) + "\n" + log);
            await second.StopAsync();
        }
        finally
        {
            try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
