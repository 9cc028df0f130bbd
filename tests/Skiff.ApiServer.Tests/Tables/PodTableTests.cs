using Skiff.Api.Meta;
using Skiff.ApiServer.Tables;
using static Skiff.ApiServer.Tests.Tables.TableTestKit;

namespace Skiff.ApiServer.Tests.Tables;

public class PodTableTests
{
    private static readonly GroupResource Pods = new("", "pods");

    [Fact]
    public void Columns_match_kubectl_get_pods_wide()
    {
        var columns = TableConvertors.For(Pods).Columns;
        Assert.Equal(["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"], columns.Select(c => c.Name));
        Assert.Equal([0, 0, 0, 0, 0, 1, 1, 1, 1], columns.Select(c => c.Priority));
        Assert.Equal("name", columns[0].Format);
    }

    [Fact]
    public void Running_pod()
    {
        var row = Row(Pods, """
            {"metadata":{"name":"web-1","creationTimestamp":"@created@"},
             "spec":{"nodeName":"node-a","containers":[{"name":"c"}]},
             "status":{"phase":"Running","podIPs":[{"ip":"10.42.0.7"}],
               "conditions":[{"type":"Ready","status":"True"}],
               "containerStatuses":[{"name":"c","ready":true,"restartCount":0,"state":{"running":{}}}]}}
            """);
        Assert.Equal(["web-1", "1/1", "Running", "0", "10m", "10.42.0.7", "node-a", "<none>", "<none>"], row.Values);
    }

    [Fact]
    public void Crash_looping_pod_shows_reason_and_last_restart()
    {
        var row = Row(Pods, """
            {"metadata":{"name":"bad","creationTimestamp":"@created@"},
             "spec":{"containers":[{"name":"c"}]},
             "status":{"phase":"Running",
               "containerStatuses":[{"name":"c","ready":false,"restartCount":3,
                 "state":{"waiting":{"reason":"CrashLoopBackOff"}},
                 "lastState":{"terminated":{"exitCode":1,"finishedAt":"@ago:10@"}}}]}}
            """);
        Assert.Equal("CrashLoopBackOff", row["Status"]);
        Assert.Equal("3 (10s ago)", row["Restarts"]);
        Assert.Equal("0/1", row["Ready"]);
    }

    [Fact]
    public void First_container_reason_wins()
    {
        var row = Row(Pods, """
            {"metadata":{"name":"p"},"spec":{"containers":[{"name":"a"},{"name":"b"}]},
             "status":{"phase":"Pending","containerStatuses":[
               {"name":"a","state":{"waiting":{"reason":"ImagePullBackOff"}}},
               {"name":"b","state":{"waiting":{"reason":"ContainerCreating"}}}]}}
            """);
        Assert.Equal("ImagePullBackOff", row["Status"]);
        Assert.Equal("<unknown>", row["Age"]);
    }

    [Fact]
    public void Init_containers_in_progress()
    {
        var row = Row(Pods, """
            {"metadata":{"name":"p"},"spec":{"initContainers":[{"name":"i1"},{"name":"i2"}],"containers":[{"name":"c"}]},
             "status":{"phase":"Pending","initContainerStatuses":[
               {"name":"i1","state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
               {"name":"i2","state":{"running":{}}}],
               "containerStatuses":[{"name":"c","state":{"waiting":{"reason":"PodInitializing"}}}]}}
            """);
        Assert.Equal("Init:1/2", row["Status"]);
    }

    [Fact]
    public void Failing_init_container()
    {
        var row = Row(Pods, """
            {"metadata":{"name":"p"},"spec":{"initContainers":[{"name":"i1"}],"containers":[{"name":"c"}]},
             "status":{"phase":"Pending","initContainerStatuses":[
               {"name":"i1","restartCount":2,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}}
            """);
        Assert.Equal("Init:CrashLoopBackOff", row["Status"]);
        // No terminated timestamp: the count is printed alone.
        Assert.Equal("2", row["Restarts"]);
    }

    [Fact]
    public void Init_container_exit_code_without_reason()
    {
        var row = Row(Pods, """
            {"metadata":{"name":"p"},"spec":{"initContainers":[{"name":"i1"}],"containers":[{"name":"c"}]},
             "status":{"phase":"Pending","initContainerStatuses":[{"name":"i1","state":{"terminated":{"exitCode":3}}}]}}
            """);
        Assert.Equal("Init:ExitCode:3", row["Status"]);
    }

    [Fact]
    public void Sidecar_init_containers_count_as_containers()
    {
        var row = Row(Pods, """
            {"metadata":{"name":"p"},
             "spec":{"initContainers":[{"name":"proxy","restartPolicy":"Always"}],"containers":[{"name":"c"}]},
             "status":{"phase":"Running","conditions":[{"type":"Initialized","status":"True"},{"type":"Ready","status":"True"}],
               "initContainerStatuses":[{"name":"proxy","started":true,"ready":true,"restartCount":1,"state":{"running":{}}}],
               "containerStatuses":[{"name":"c","ready":true,"restartCount":0,"state":{"running":{}}}]}}
            """);
        Assert.Equal("2/2", row["Ready"]);
        Assert.Equal("Running", row["Status"]);
        Assert.Equal("1", row["Restarts"]);
    }

    [Fact]
    public void Succeeded_pod_is_completed_with_a_row_condition()
    {
        var pod = Parse("""
            {"metadata":{"name":"job-x"},"spec":{"containers":[{"name":"c"}]},
             "status":{"phase":"Succeeded","containerStatuses":[{"name":"c","state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}}
            """);
        var convertor = TableConvertors.For(Pods);
        Assert.Equal("Completed", convertor.Cells(pod, Now)[2]);
        var condition = Assert.Single(convertor.Conditions(pod));
        Assert.Equal(("Completed", "True", "Succeeded"), (condition.Type, condition.Status, condition.Reason));
    }

    [Fact]
    public void Terminated_container_without_reason_shows_signal()
    {
        var row = Row(Pods, """
            {"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]},
             "status":{"phase":"Running","containerStatuses":[{"name":"c","state":{"terminated":{"exitCode":137,"signal":9}}}]}}
            """);
        Assert.Equal("Signal:9", row["Status"]);
    }

    [Fact]
    public void Deleting_pod_is_terminating_unless_node_is_lost()
    {
        var terminating = Row(Pods, """
            {"metadata":{"name":"p","deletionTimestamp":"2026-01-01T11:59:00Z"},"spec":{"containers":[{"name":"c"}]},
             "status":{"phase":"Running"}}
            """);
        Assert.Equal("Terminating", terminating["Status"]);
        var lost = Row(Pods, """
            {"metadata":{"name":"p","deletionTimestamp":"2026-01-01T11:59:00Z"},"spec":{"containers":[{"name":"c"}]},
             "status":{"phase":"Running","reason":"NodeLost"}}
            """);
        Assert.Equal("Unknown", lost["Status"]);
    }

    [Fact]
    public void Scheduling_gated_and_readiness_gates()
    {
        var row = Row(Pods, """
            {"metadata":{"name":"p"},
             "spec":{"containers":[{"name":"c"}],"readinessGates":[{"conditionType":"a"},{"conditionType":"b"}]},
             "status":{"phase":"Pending","nominatedNodeName":"n2","conditions":[
               {"type":"PodScheduled","status":"False","reason":"SchedulingGated"},{"type":"a","status":"True"},{"type":"b","status":"False"}]}}
            """);
        Assert.Equal("SchedulingGated", row["Status"]);
        Assert.Equal("1/2", row["Readiness Gates"]);
        Assert.Equal("n2", row["Nominated Node"]);
    }

    [Fact]
    public void Completed_container_next_to_a_running_one_reads_running_or_not_ready()
    {
        const string template = """
            {"metadata":{"name":"p"},"spec":{"containers":[{"name":"a"},{"name":"b"}]},
             "status":{"phase":"Running","conditions":[{"type":"Ready","status":"READY"}],"containerStatuses":[
               {"name":"a","ready":false,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
               {"name":"b","ready":true,"state":{"running":{}}}]}}
            """;
        Assert.Equal("Running", Row(Pods, template.Replace("READY", "True"))["Status"]);
        Assert.Equal("NotReady", Row(Pods, template.Replace("READY", "False"))["Status"]);
    }
}
