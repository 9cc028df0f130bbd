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
        const int runs = 1000;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < runs; i++) UnknownFieldChecker.Find(body, schema);
        sw.Stop();
        var allocated = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / runs;
        output.WriteLine($"{body.Length} bytes: {sw.Elapsed.TotalMicroseconds / runs:F1} µs per check, {allocated} bytes allocated per check");
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
