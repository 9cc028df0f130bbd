using System.Text.Json;

namespace Skiff.E2E;

/// <summary>Watch resumption below the compacted revision gets 410 Gone (Expired), as upstream.</summary>
public sealed class CompactionTests
{
    [Fact]
    public async Task WatchFromACompactedResourceVersionGets410()
    {
        await using var server = new SkiffServer
        {
            ExtraArgs = ["--datastore-compact-interval", "1s", "--datastore-compact-keep", "5", "--datastore-compact-min-age", "0"],
        };
        await server.StartAsync();
        using var api = new ApiClient(server);
        var create = await api.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/configmaps",
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"hot"},"data":{"n":"0"}}""");
        using (var created = JsonDocument.Parse(await create.Content.ReadAsStringAsync()))
        {
            var oldRv = created.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString();
            for (var i = 1; i <= 30; i++)
            {
                var patch = await api.SendAsync(HttpMethod.Patch, "/api/v1/namespaces/default/configmaps/hot",
                    "{\"data\":{\"n\":\"" + i + "\"}}", "application/merge-patch+json");
                Assert.True(patch.IsSuccessStatusCode, await patch.Content.ReadAsStringAsync());
            }

            // Wait (with a deadline) until the compactor has passed the old revision: an exact list there is 410.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (true)
            {
                var list = await api.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/default/configmaps?resourceVersion={oldRv}&resourceVersionMatch=Exact");
                if ((int)list.StatusCode == 410) break;
                Assert.True(DateTime.UtcNow < deadline, "compaction did not reach the old revision in time");
                await Task.Delay(100);
            }

            var watch = await api.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={oldRv}&timeoutSeconds=5");
            Assert.Equal(200, (int)watch.StatusCode);
            using var reader = new StreamReader(await watch.Content.ReadAsStreamAsync());
            var first = await reader.ReadLineAsync();
            Assert.NotNull(first);
            using var ev = JsonDocument.Parse(first!);
            Assert.Equal("ERROR", ev.RootElement.GetProperty("type").GetString());
            var status = ev.RootElement.GetProperty("object");
            Assert.Equal(410, status.GetProperty("code").GetInt32());
            Assert.Equal("Expired", status.GetProperty("reason").GetString());
            Assert.StartsWith("too old resource version", status.GetProperty("message").GetString());

            // A watch from the current revision still works.
            var current = await api.SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/configmaps/hot");
            using var cur = JsonDocument.Parse(await current.Content.ReadAsStringAsync());
            var rv = cur.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString();
            var ok = await api.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={rv}&timeoutSeconds=2");
            Assert.Equal(200, (int)ok.StatusCode);
        }
    }
}
