using System.Collections.Concurrent;
using System.Net;

namespace Skiff.E2E;

/// <summary>Crash safety: a create acknowledged with 201 survives SIGKILL of the server.</summary>
public sealed class DurabilityTests
{
    [Fact]
    public async Task EveryAcknowledgedCreateSurvivesSigkillDuringABurst()
    {
        await using var server = new SkiffServer();
        await server.StartAsync();
        using (var api = new ApiClient(server))
        {
            var acknowledged = new ConcurrentBag<string>();
            var started = 0;
            using var stop = new CancellationTokenSource();
            var workers = Enumerable.Range(0, 2000).Select(async i =>
            {
                var name = $"burst-{i}";
                Interlocked.Increment(ref started);
                try
                {
                    var resp = await api.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/configmaps",
                        Objects.ConfigMap(name, i.ToString()), ct: stop.Token);
                    if (resp.StatusCode == HttpStatusCode.Created) acknowledged.Add(name);
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException) { }
            }).ToList();

            // Kill the server while the burst is in flight: once some creates are acknowledged, not all.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (acknowledged.Count < 200 && DateTime.UtcNow < deadline) await Task.Delay(5);
            await server.StopAsync(kill: true);
            stop.Cancel();
            await Task.WhenAll(workers);
            Assert.True(acknowledged.Count >= 200, $"only {acknowledged.Count} creates were acknowledged before the kill");

            await server.StartAsync();
            var names = (await Kubectl.OkAsync(server, "get", "cm", "-n", "default", "-o", "name"))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(n => n["configmap/".Length..]).ToHashSet();
            var lost = acknowledged.Where(n => !names.Contains(n)).ToList();
            Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} acknowledged creates were lost, e.g. {string.Join(", ", lost.Take(5))}");
        }
        // After the restart the server serves normally.
        Assert.Contains("default", await Kubectl.OkAsync(server, "get", "ns"));
    }
}
