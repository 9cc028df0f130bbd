using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Skiff.Bench;

/// <summary>
/// Secret creates against a real <c>skiff server</c> over HTTPS HTTP/2 with the admin client
/// certificate, on an open-loop schedule: request i starts at t0 + i/rate whether or not earlier
/// ones have finished, and its latency counts from that scheduled start, so a slow server cannot
/// hide its queueing by slowing the client down (no coordinated omission).
/// </summary>
internal static class ApiBenchCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = BenchArgs.Int(args, "--count", 5_000);
        var rate = BenchArgs.Double(args, "--rate", 200);
        var warmup = BenchArgs.Int(args, "--warmup", 100);
        var dataBytes = BenchArgs.Int(args, "--data-bytes", 1024);
        var settle = TimeSpan.FromSeconds(BenchArgs.Double(args, "--settle", 15));
        var binary = BenchArgs.SkiffBinary(args);
        // --env NAME=VALUE (repeatable): runtime settings for the server, e.g. DOTNET_GCgen0size=400000.
        var environment = new Dictionary<string, string?>();
        foreach (var setting in BenchArgs.All(args, "--env"))
        {
            var eq = setting.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"--env wants NAME=VALUE, got '{setting}'");
            environment[setting[..eq]] = setting[(eq + 1)..];
        }
        if (count <= 0 || rate <= 0) throw new ArgumentException("--count and --rate must be positive");

        var started = Stopwatch.StartNew();
        await using var server = await SkiffServerProcess.StartAsync(binary, environment, CancellationToken.None);
        var readyAfter = started.Elapsed;
        var atReady = server.ReadStatus();
        using var client = server.CreateClient();

        // Bodies are built before the clock starts; each holds its own random bytes.
        var bodies = Enumerable.Range(1, count).Select(i => SecretBody($"secret-{i}", dataBytes)).ToArray();

        if (warmup > 0)
        {
            // Closed loop, 10 at a time: JIT, TLS and connection set-up happen here, not in the measurement.
            var next = 0;
            await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
            {
                for (var i = Interlocked.Increment(ref next); i <= warmup; i = Interlocked.Increment(ref next))
                    await CreateAsync(client, SecretBody($"warmup-{i}", dataBytes));
            }));
        }
        var afterWarmup = server.ReadStatus();

        var run = await OpenLoop.RunAsync(count, rate, (i, _) => CreateAsync(client, bodies[i]));
        var afterLoad = server.TryReadStatus();

        // Every acknowledged create must be listed (one unpaged LIST, read from the datastore).
        var listTimer = Stopwatch.StartNew();
        int listed;
        string? listError = null;
        try
        {
            listed = await CountSecretsAsync(client);
        }
        catch (Exception e) when (e is HttpRequestException or HttpStatusException or IOException)
        {
            listed = -1;
            listError = e.Message;
        }
        var listMs = listTimer.Elapsed.TotalMilliseconds;
        var afterList = server.TryReadStatus();
        // Does the memory go back once the load is over? Nothing to wait on but time.
        await Task.Delay(settle);
        var settled = server.TryReadStatus();
        if (server.HasExited) await Task.Delay(500); // let the last lines of a crash arrive

        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(string.Create(inv,
            $"Secret creates ({dataBytes} B of data each, namespace default), open loop at {rate:0.#}/s over HTTPS HTTP/2 (one connection), " +
            $"{Environment.ProcessorCount} cores,{string.Concat(environment.Select(e => $" {e.Key}={e.Value}"))} load average {LoadAverage()}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; server ready after {readyAfter.TotalSeconds:0.0} s, {warmup} warm-up creates first"));
        sb.AppendLine();
        sb.AppendLine("| creates | offered /s | achieved /s | errors | p50 ms | p90 ms | p99 ms | max ms | max start lag ms | VmRSS MiB | VmHWM MiB |");
        sb.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        sb.AppendLine(string.Create(inv,
            $"| {count} | {rate:0.#} | {run.AchievedRate:0.0} | {run.Errors} | {run.Percentile(0.50):0.0} | {run.Percentile(0.90):0.0} | {run.Percentile(0.99):0.0} | {run.Percentile(1):0.0} | {run.MaxStartLagMs:0.0} | {(afterLoad is null ? "exited" : ProcStatus.MiB(afterLoad.VmRssKiB))} | {(afterLoad is null ? "" : ProcStatus.MiB(afterLoad.VmHwmKiB))} |"));
        sb.AppendLine();
        sb.AppendLine("| server memory | VmRSS MiB | VmHWM MiB | RssAnon MiB | RssFile MiB | RssShmem MiB | threads |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        var listLabel = listError is null ? $"after LIST of {listed} secrets ({listMs:0} ms)" : $"after a failed LIST ({listMs:0} ms)";
        foreach (var (label, s) in new (string, ProcStatus?)[] { ("ready", atReady), ($"after {warmup} warm-up creates", afterWarmup), ("after the load", afterLoad), (listLabel, afterList), ($"{settle.TotalSeconds:0} s later, idle", settled) })
            sb.AppendLine(s is null
                ? $"| {label} | server {server.ExitDescription} | | | | | |"
                : $"| {label} | {ProcStatus.MiB(s.VmRssKiB)} | {ProcStatus.MiB(s.VmHwmKiB)} | {ProcStatus.MiB(s.RssAnonKiB)} | {ProcStatus.MiB(s.RssFileKiB)} | {ProcStatus.MiB(s.RssShmemKiB)} | {s.Threads} |");
        if (listError is not null)
        {
            sb.AppendLine($"\nLIST failed: {listError}; server {server.ExitDescription}");
            Console.Error.WriteLine("server log (last lines):\n" + string.Join('\n', server.LogTail().Split('\n').TakeLast(40)));
        }
        if (run.ErrorKinds.Count > 0)
        {
            sb.AppendLine();
            foreach (var (kind, n) in run.ErrorKinds.OrderByDescending(e => e.Value)) sb.AppendLine($"- {n} × {kind}");
            Console.Error.WriteLine("server log (last lines):\n" + string.Join('\n', server.LogTail().Split('\n').TakeLast(40)));
        }
        var expected = count + warmup;
        if (listError is null && listed != expected - run.Errors)
            sb.AppendLine($"\nLIST returned {listed} secrets; expected {expected - run.Errors}");
        Console.WriteLine(sb.ToString());
        return run.Errors == 0 && listError is null ? 0 : 1;
    }

    private static byte[] SecretBody(string name, int dataBytes)
    {
        var data = new byte[dataBytes];
        Random.Shared.NextBytes(data);
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("apiVersion", "v1");
            json.WriteString("kind", "Secret");
            json.WriteStartObject("metadata");
            json.WriteString("name", name);
            json.WriteString("namespace", "default");
            json.WriteEndObject();
            json.WriteString("type", "Opaque");
            json.WriteStartObject("data");
            json.WriteBase64String("payload", data);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static async Task CreateAsync(HttpClient client, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/namespaces/default/secrets")
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } },
        };
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
        if (response.StatusCode != HttpStatusCode.Created)
            throw new HttpStatusException(response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<int> CountSecretsAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/api/v1/namespaces/default/secrets", HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != HttpStatusCode.OK)
            throw new HttpStatusException(response.StatusCode, await response.Content.ReadAsStringAsync());
        await using var stream = await response.Content.ReadAsStreamAsync();
        using var doc = await JsonDocument.ParseAsync(stream);
        return doc.RootElement.GetProperty("items").GetArrayLength();
    }

    internal static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}

internal sealed class HttpStatusException(HttpStatusCode status, string body) : Exception($"HTTP {(int)status}: {Shorten(body)}")
{
    public HttpStatusCode Status { get; } = status;

    // Error bodies can be large (a failed LIST); its start and end say enough.
    private static string Shorten(string body) =>
        body.Length <= 600 ? body : $"{body[..200]} …[{body.Length} chars]… {body[^400..]}";
}
