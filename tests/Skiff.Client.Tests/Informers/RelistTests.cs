using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Skiff.Api.Models.Core.V1;
using Skiff.Client.Informers;
using Skiff.Client.Rest;
using Skiff.Client.Tests.Integration;

namespace Skiff.Client.Tests.Informers;

/// <summary>The informer's reaction to 410 Gone, against a scripted API server.</summary>
public sealed class RelistTests
{
    /// <summary>Answers lists from a script and watches with the next scripted body.</summary>
    private sealed class ScriptedServer : HttpMessageHandler
    {
        public ConcurrentQueue<string> Lists { get; } = new();
        public ConcurrentQueue<string> Watches { get; } = new();
        public ConcurrentQueue<string> Requests { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var uri = request.RequestUri!.PathAndQuery;
            Requests.Enqueue(uri);
            var isWatch = uri.Contains("watch=true");
            string? body = null;
            while (!(isWatch ? Watches : Lists).TryDequeue(out body))
                await Task.Delay(10, ct); // a watch with nothing scripted stays open until cancelled
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        }
    }

    private static string Cm(string name, string rv) =>
        $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}","namespace":"ns","resourceVersion":"{{{rv}}}"}}""";

    private static string List(string rv, params string[] items) =>
        $$$"""{"apiVersion":"v1","kind":"ConfigMapList","metadata":{"resourceVersion":"{{{rv}}}"},"items":[{{{string.Join(",", items)}}}]}""";

    [Fact]
    public async Task GoneRelistsAndDeliversTombstonesForMissedDeletes()
    {
        var server = new ScriptedServer();
        server.Lists.Enqueue(List("10", Cm("a", "5"), Cm("b", "6")));
        server.Watches.Enqueue($$"""{"type":"ADDED","object":{{Cm("c", "11")}}}""" + "\n" +
            """{"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"15"}}}""" + "\n");
        server.Watches.Enqueue("""{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Expired","code":410,"message":"too old resource version: 15 (20)"}}""" + "\n");
        // While the watch was gone: a was deleted, b changed, c stayed, d appeared.
        server.Lists.Enqueue(List("30", Cm("b", "25"), Cm("c", "11"), Cm("d", "28")));

        using var connection = new ApiConnection(server, new Uri("https://skiff.test"));
        using var client = new KubeClient(connection);
        var informer = new SharedInformer<ConfigMap>(client.ConfigMaps, "ns");
        var handler = new RecordingHandler<ConfigMap>(c => c.Metadata!.Name!);
        informer.AddEventHandler(handler);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        informer.Start(cts.Token);
        await informer.WaitForCacheSyncAsync(cts.Token);

        await Eventually.TrueAsync(() => informer.ListCount == 2 && handler.Saw("add:d"), "relist after 410");
        // As upstream's DeltaFIFO: the relist's objects first, then tombstones for what it no longer has.
        Assert.Equal(["add:a", "add:b", "add:c", "update:b", "add:d", "tombstone:a"], handler.Events);
        Assert.Equal(["b", "c", "d"], informer.Store.List().Select(c => c.Metadata!.Name).Order());
        // The watch resumed from the bookmark's resourceVersion, then the relist's.
        await Eventually.TrueAsync(() => server.Requests.Count(r => r.Contains("watch=true")) >= 3, "watch after relist");
        var watches = server.Requests.Where(r => r.Contains("watch=true")).ToList();
        Assert.Contains("resourceVersion=10", watches[0]);
        Assert.Contains("resourceVersion=15", watches[1]);
        Assert.Contains("resourceVersion=30", watches[2]);
        Assert.Contains("allowWatchBookmarks=true", watches[0]);
        await informer.DisposeAsync();
    }
}
