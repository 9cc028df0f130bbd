using System.Diagnostics;
using System.Text;
using Skiff.Api.Schema;
using Skiff.Api.Validation.FieldValidation;
using Xunit.Abstractions;

namespace Skiff.Api.Tests.FieldValidation;

/// <summary>A sanity measurement printed to the test output; it never asserts a time.</summary>
public class PerformanceTests(ITestOutputHelper output)
{
    [Fact]
    public void A_100_kb_deployment_is_checked_and_the_time_is_reported()
    {
        var body = Encoding.UTF8.GetBytes(BigDeployment(100 * 1024));
        var schema = SchemaExtensions.Find("io.k8s.api.apps.v1.Deployment")!;
        Assert.Empty(UnknownFieldChecker.Find(body, schema));

        for (var i = 0; i < 200; i++) UnknownFieldChecker.Find(body, schema);

        // The machine is shared, so take the best of several rounds, and time a bare Utf8JsonReader pass over the
        // same bytes alongside as the floor any reader-based check stands on.
        const int runs = 200;
        double best = double.MaxValue, bestFloor = double.MaxValue;
        long allocated = 0;
        var tokens = 0;
        for (var round = 0; round < 10; round++)
        {
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < runs; i++) UnknownFieldChecker.Find(body, schema);
            sw.Stop();
            allocated = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / runs;
            best = Math.Min(best, sw.Elapsed.TotalMicroseconds / runs);

            var floor = Stopwatch.StartNew();
            for (var i = 0; i < runs; i++) tokens = CountTokens(body);
            floor.Stop();
            bestFloor = Math.Min(bestFloor, floor.Elapsed.TotalMicroseconds / runs);
        }

        output.WriteLine($"{body.Length} bytes, {tokens} tokens: {best:F1} µs per check (best of 10 rounds), "
            + $"{allocated} bytes allocated per check; a bare Utf8JsonReader pass takes {bestFloor:F1} µs");
    }

    private static int CountTokens(byte[] body)
    {
        var reader = new System.Text.Json.Utf8JsonReader(body);
        var n = 0;
        while (reader.Read()) n++;
        return n;
    }

    /// <summary>A Deployment padded to about <paramref name="size"/> bytes with containers carrying env vars, ports and
    /// mounts, which is where large real bodies put their bytes.</summary>
    internal static string BigDeployment(int size)
    {
        var sb = new StringBuilder();
        sb.Append("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"big","labels":{"app":"big"}},"spec":{"replicas":1,"selector":{"matchLabels":{"app":"big"}},"template":{"metadata":{"labels":{"app":"big"}},"spec":{"containers":[""");
        for (var c = 0; sb.Length < size; c++)
        {
            if (c > 0) sb.Append(',');
            sb.Append($$"""{"name":"c{{c}}","image":"busybox:1.36","command":["sh","-c","sleep 3600"],"ports":[{"containerPort":{{8000 + c}},"protocol":"TCP"}],"env":[""");
            for (var e = 0; e < 10; e++)
                sb.Append(e > 0 ? "," : "").Append($$"""{"name":"VAR_{{e}}","value":"value-{{c}}-{{e}}"}""");
            sb.Append("""],"resources":{"limits":{"cpu":"100m","memory":"64Mi"}},"volumeMounts":[{"name":"data","mountPath":"/data"}]}""");
        }
        sb.Append("""],"volumes":[{"name":"data","emptyDir":{}}]}}}}""");
        return sb.ToString();
    }
}
