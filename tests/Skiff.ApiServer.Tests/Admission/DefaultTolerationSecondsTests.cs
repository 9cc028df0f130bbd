using System.Text.Json.Nodes;
using Skiff.ApiServer.Admission;

namespace Skiff.ApiServer.Tests.Admission;

public sealed class DefaultTolerationSecondsTests
{
    private static JsonArray? Admitted(string spec)
    {
        var pod = JsonNode.Parse($$"""{"metadata":{"name":"p"},"spec":{{spec}}}""")!.AsObject();
        DefaultTolerationSeconds.Admit(pod);
        return pod["spec"]!["tolerations"] as JsonArray;
    }

    [Fact]
    public void A_pod_without_them_gets_five_minutes_for_not_ready_and_unreachable()
    {
        var t = Admitted("""{"containers":[{"name":"c","image":"busybox"}]}""")!;
        Assert.Equal(
            """[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}]""",
            t.ToJsonString());
    }

    [Fact]
    public void Its_own_tolerations_win_whether_by_key_or_by_tolerating_everything()
    {
        var own = Admitted("""{"tolerations":[{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":2},{"key":"gpu","operator":"Exists","effect":"NoSchedule"}]}""")!;
        Assert.Equal(["node.kubernetes.io/unreachable:2", "gpu:", "node.kubernetes.io/not-ready:300"],
            own.Select(x => $"{x!["key"]}:{x["tolerationSeconds"]}"));
        Assert.Single(Admitted("""{"tolerations":[{"operator":"Exists"}]}""")!); // no key, no effect: tolerates both already
        Assert.Equal(2, Admitted("""{"tolerations":[{"operator":"Exists","effect":"NoSchedule"}]}""")!.Count - 1); // a NoSchedule one does not count
    }
}
