using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Skiff.Api.Models.Core.V1;
using Skiff.Client;
using Skiff.Client.Informers;

namespace Skiff.Bench;

/// <summary>
/// Skiff.Client costs. Part 1, against a real skiff server over TLS + HTTP/2 with the admin client
/// certificate: paged LIST, concurrent GETs, informer sync and watch delivery, informer heap per object.
/// Part 2, transport only (in-process Kestrel answering a canned 1 KiB JSON body): HTTP/2 over TLS vs
/// cleartext HTTP/2 over TCP vs cleartext HTTP/2 over a unix socket, to decide whether an in-process
/// loopback mode is worth building. Prints tables.
/// </summary>
internal static class ClientBenchCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var objects = BenchArgs.Int(args, "--objects", 2000);
        var requests = BenchArgs.Int(args, "--requests", 20000);
        var pods = BenchArgs.Int(args, "--pods", 10000);
        await RealServerAsync(BenchArgs.SkiffBinary(args), objects);
        if (pods > 0) await PodInformerAsync(BenchArgs.SkiffBinary(args), pods);
        await TransportsAsync(requests);
        return 0;
    }

    /// <summary>
    /// The "informer memory per 10,000 cached pods": pods shaped like a Deployment's (labels, owner,
    /// one container with ports, env, requests and probes, then the server's defaults), bound to a node no
    /// scheduler or kubelet acts on; the informer's heap after a full GC, per pod and per 10,000.
    /// </summary>
    private static async Task PodInformerAsync(string binary, int count)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        await using var server = await SkiffServerProcess.StartAsync(binary, new Dictionary<string, string?>(), cts.Token);
        using var client = KubeClient.FromKubeconfig(server.KubeconfigPath);
        await ParallelAsync(count, 32, i => client.Pods.CreateAsync(new Pod
        {
            Metadata = new()
            {
                Name = $"web-7d9f8c6b5-{i:x5}", Namespace = "default",
                Labels = new() { ["app"] = "web", ["pod-template-hash"] = "7d9f8c6b5" },
                OwnerReferences = [new() { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = "web-7d9f8c6b5", Uid = "3f1d2c4b-0000-4000-8000-000000000001", Controller = true, BlockOwnerDeletion = true }],
            },
            Spec = new()
            {
                NodeName = "bench-node-" + (i % 50),
                Containers =
                [
                    new()
                    {
                        Name = "web", Image = "registry.example/web:1.4.2",
                        Ports = [new() { ContainerPortValue = 8080, Name = "http" }],
                        Env = [new() { Name = "MODE", Value = "production" }, new() { Name = "POD_IP", ValueFrom = new() { FieldRef = new() { FieldPath = "status.podIP" } } }],
                        Resources = new() { Requests = new() { ["cpu"] = "100m", ["memory"] = "128Mi" } },
                        ReadinessProbe = new() { HttpGet = new() { Path = "/healthz", Port = "http" } },
                    },
                ],
            },
        }, ct: cts.Token));

        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        var heap0 = GC.GetTotalMemory(true);
        await using var factory = new SharedInformerFactory(client);
        var informer = factory.For<Pod, PodList>();
        informer.AddIndex(Indexers.NodeName, Indexers.PodNodeName);
        var sw = Stopwatch.StartNew();
        factory.Start(cts.Token);
        await factory.WaitForCacheSyncAsync(cts.Token);
        sw.Stop();
        if (informer.Store.Count < count) throw new InvalidOperationException($"informer holds {informer.Store.Count} pods, expected {count}");
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        var perPod = (GC.GetTotalMemory(true) - heap0) / (double)count;
        Console.WriteLine($"## Pod informer, {count} pods (Deployment-shaped, server-defaulted), with the spec.nodeName index");
        Console.WriteLine();
        Console.WriteLine("| pods | list + sync | heap per pod | heap per 10,000 pods |");
        Console.WriteLine("| ---: | ---: | ---: | ---: |");
        Console.WriteLine($"| {count} | {sw.Elapsed.TotalMilliseconds:F0} ms | {perPod / 1024:F1} KiB | {perPod * 10000 / (1024 * 1024):F1} MiB |");
        Console.WriteLine();
    }

    private static async Task RealServerAsync(string binary, int objects)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await using var server = await SkiffServerProcess.StartAsync(binary, new Dictionary<string, string?>(), cts.Token);
        using var client = KubeClient.FromKubeconfig(server.KubeconfigPath);
        var cms = client.ConfigMaps;
        var payload = new string('x', 1024);
        await ParallelAsync(objects, 20, i => cms.CreateAsync(new ConfigMap
        {
            Metadata = new() { Name = $"cm-{i}", Namespace = "default", Labels = new() { ["bench"] = "client" } },
            Data = new() { ["v"] = payload },
        }));

        Console.WriteLine($"## Skiff.Client against skiff server (TLS, HTTP/2), {objects} ConfigMaps of 1 KiB");
        Console.WriteLine();
        Console.WriteLine("| operation | result | allocated |");
        Console.WriteLine("| --- | ---: | ---: |");
        double best = double.MaxValue; long alloc = 0;
        for (var run = 0; run < 5; run++)
        {
            var a0 = GC.GetTotalAllocatedBytes(true);
            var sw = Stopwatch.StartNew();
            var list = await cms.ListAllAsync("default", new() { Limit = 500 }, cts.Token);
            sw.Stop();
            if (list.Items.Count < objects) throw new InvalidOperationException("list is short");
            if (sw.Elapsed.TotalMilliseconds < best) { best = sw.Elapsed.TotalMilliseconds; alloc = GC.GetTotalAllocatedBytes(true) - a0; }
        }
        Console.WriteLine($"| list all, pages of 500 (best of 5) | {best:F1} ms ({objects / best * 1000:F0} objects/s) | {alloc / objects:N0} B/object |");

        var gets = objects * 2;
        var g0 = GC.GetTotalAllocatedBytes(true);
        var gsw = Stopwatch.StartNew();
        await ParallelAsync(gets, 16, i => cms.GetAsync("default", $"cm-{i % objects}", cts.Token));
        gsw.Stop();
        Console.WriteLine($"| get, 16 concurrent, {gets} calls | {gets / gsw.Elapsed.TotalSeconds:F0} /s | {(GC.GetTotalAllocatedBytes(true) - g0) / gets:N0} B/call |");

        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        var heap0 = GC.GetTotalMemory(true);
        await using var factory = new SharedInformerFactory(client);
        var informer = factory.For<ConfigMap, ConfigMapList>("default");
        var seen = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var expectUpdates = objects;
        informer.AddEventHandler(new ResourceEventHandler<ConfigMap> { Updated = (_, _) => { if (Interlocked.Increment(ref seen) == expectUpdates) done.TrySetResult(); } });
        var ssw = Stopwatch.StartNew();
        factory.Start(cts.Token);
        await factory.WaitForCacheSyncAsync(cts.Token);
        ssw.Stop();
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        var heap1 = GC.GetTotalMemory(true);
        Console.WriteLine($"| informer list + sync | {ssw.Elapsed.TotalMilliseconds:F0} ms | heap +{(heap1 - heap0) / objects:N0} B/object cached (1 KiB data each) |");

        var w0 = GC.GetTotalAllocatedBytes(true);
        var wsw = Stopwatch.StartNew();
        await ParallelAsync(objects, 20, i => cms.PatchAsync("default", $"cm-{i}", Skiff.Client.Rest.PatchType.Merge, "{\"data\":{\"n\":\"" + i + "\"}}", ct: cts.Token));
        var writes = wsw.Elapsed;
        await done.Task.WaitAsync(cts.Token);
        wsw.Stop();
        Console.WriteLine($"| {objects} patches, 20 concurrent, until the informer saw all | {objects / wsw.Elapsed.TotalSeconds:F0} events/s (writes alone {objects / writes.TotalSeconds:F0} /s) | {(GC.GetTotalAllocatedBytes(true) - w0) / objects:N0} B/event incl. the patch |");
        Console.WriteLine();
    }

    private static async Task TransportsAsync(int requests)
    {
        var body = System.Text.Encoding.UTF8.GetBytes("{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"data\":{\"v\":\"" + new string('x', 960) + "\"}}");
        var socket = Path.Combine(Path.GetTempPath(), $"skiff-bench-{Environment.ProcessId}.sock");
        var tlsPort = FreePort();
        var tcpPort = FreePort();
        using var cert = SelfSigned();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, tlsPort, o => { o.Protocols = HttpProtocols.Http2; o.UseHttps(cert); });
            k.Listen(IPAddress.Loopback, tcpPort, o => o.Protocols = HttpProtocols.Http2);
            k.ListenUnixSocket(socket, o => o.Protocols = HttpProtocols.Http2);
        });
        await using var app = builder.Build();
        app.Run(async ctx => { ctx.Response.ContentType = "application/json"; await ctx.Response.Body.WriteAsync(body); });
        await app.StartAsync();
        try
        {
            Console.WriteLine($"## Transport only: in-process Kestrel, canned {body.Length} B JSON answer, {requests} GETs, 16 concurrent, one HTTP/2 connection");
            Console.WriteLine();
            Console.WriteLine("| transport | requests/s | p50 µs | p99 µs | client B/request | new connection (median of 50) |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
            await MeasureAsync("HTTP/2 + TLS (ECDSA P-256), TCP", () => Handler(tls: true, null), new Uri($"https://127.0.0.1:{tlsPort}/"), requests);
            await MeasureAsync("HTTP/2 cleartext, TCP", () => Handler(tls: false, null), new Uri($"http://127.0.0.1:{tcpPort}/"), requests);
            await MeasureAsync("HTTP/2 cleartext, unix socket", () => Handler(tls: false, socket), new Uri("http://localhost/"), requests);
            Console.WriteLine();
        }
        finally
        {
            await app.StopAsync();
            File.Delete(socket);
        }
    }

    private static async Task MeasureAsync(string name, Func<HttpMessageHandler> handler, Uri uri, int requests)
    {
        using var http = Client(handler(), uri);
        // Warm up (JIT, connection).
        for (var i = 0; i < 500; i++) (await http.GetByteArrayAsync("/")).AsSpan();
        var latencies = new double[requests];
        var a0 = GC.GetTotalAllocatedBytes(true);
        var sw = Stopwatch.StartNew();
        await ParallelAsync(requests, 16, async i =>
        {
            var t = Stopwatch.GetTimestamp();
            await http.GetByteArrayAsync("/");
            latencies[i] = Stopwatch.GetElapsedTime(t).TotalMicroseconds;
        });
        sw.Stop();
        var alloc = (GC.GetTotalAllocatedBytes(true) - a0) / requests;
        Array.Sort(latencies);
        var connects = new double[50];
        for (var i = 0; i < connects.Length; i++)
        {
            using var fresh = Client(handler(), uri);
            var t = Stopwatch.GetTimestamp();
            await fresh.GetByteArrayAsync("/");
            connects[i] = Stopwatch.GetElapsedTime(t).TotalMicroseconds;
        }
        Array.Sort(connects);
        Console.WriteLine($"| {name} | {requests / sw.Elapsed.TotalSeconds:F0} | {latencies[requests / 2]:F0} | {latencies[requests * 99 / 100]:F0} | {alloc:N0} | {connects[25]:F0} µs |");
    }

    private static HttpClient Client(HttpMessageHandler handler, Uri uri) => new(handler)
    {
        BaseAddress = uri,
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    private static SocketsHttpHandler Handler(bool tls, string? unixSocket)
    {
        var h = new SocketsHttpHandler();
        if (tls) h.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        if (unixSocket is not null)
            h.ConnectCallback = async (_, ct) =>
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await s.ConnectAsync(new UnixDomainSocketEndPoint(unixSocket), ct);
                return new NetworkStream(s, ownsSocket: true);
            };
        return h;
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        req.CertificateExtensions.Add(san.Build());
        using var cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }

    private static async Task ParallelAsync(int count, int concurrency, Func<int, Task> body)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count) await body(i);
        }));
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
