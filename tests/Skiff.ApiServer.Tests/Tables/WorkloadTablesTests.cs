using Skiff.Api.Meta;
using static Skiff.ApiServer.Tests.Tables.TableTestKit;

namespace Skiff.ApiServer.Tests.Tables;

public class WorkloadTablesTests
{

    [Fact]
    public void Deployment_row()
    {
        var row = Row(new("apps", "deployments"), """
            {"metadata":{"name":"web","creationTimestamp":"@created@"},
             "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"},"matchExpressions":[{"key":"env","operator":"In","values":["prod","dev"]}]},@template@},
             "status":{"readyReplicas":2,"updatedReplicas":3,"availableReplicas":2}}
            """);
        Assert.Equal(["web", "2/3", 3L, 2L, "10m", "nginx,log", "nginx:1.27,busybox", "app=web,env in (dev,prod)"], row.Values);
    }

    [Fact]
    public void Deployment_without_status_or_replicas()
    {
        var row = Row(new("apps", "deployments"), """{"metadata":{"name":"d"},"spec":{}}""");
        Assert.Equal(("0/1", 0L, 0L, ""), (row["Ready"], row["Up-to-date"], row["Available"], row["Selector"]));
    }

    [Fact]
    public void Replica_set_row()
    {
        var row = Row(new("apps", "replicasets"), """
            {"metadata":{"name":"web-5d"},"spec":{"replicas":2,"selector":{"matchExpressions":[{"key":"tier","operator":"DoesNotExist"},{"key":"app","operator":"Exists"}]},@template@},
             "status":{"replicas":2,"readyReplicas":1}}
            """);
        Assert.Equal(["web-5d", 2L, 2L, 1L, "<unknown>", "nginx,log", "nginx:1.27,busybox", "app,!tier"], row.Values);
    }

    [Fact]
    public void Stateful_set_row() =>
        Assert.Equal(["db", "1/2", "<unknown>", "nginx,log", "nginx:1.27,busybox"], Row(new("apps", "statefulsets"), """
            {"metadata":{"name":"db"},"spec":{"replicas":2,@template@},"status":{"readyReplicas":1}}
            """).Values);

    [Fact]
    public void Daemon_set_row()
    {
        var row = Row(new("apps", "daemonsets"), """
            {"metadata":{"name":"proxy"},
             "spec":{"selector":{"matchLabels":{"k":"v"}},"template":{"spec":{"nodeSelector":{"kubernetes.io/os":"linux"},"containers":[{"name":"p","image":"p:1"}]}}},
             "status":{"desiredNumberScheduled":3,"currentNumberScheduled":3,"numberReady":2,"updatedNumberScheduled":3,"numberAvailable":2}}
            """);
        Assert.Equal(["proxy", 3L, 3L, 2L, 3L, 2L, "kubernetes.io/os=linux", "<unknown>", "p", "p:1", "k=v"], row.Values);
    }

    [Fact]
    public void Completed_job()
    {
        var row = Row(new("batch", "jobs"), """
            {"metadata":{"name":"pi","creationTimestamp":"@created@"},
             "spec":{"completions":1,"parallelism":1,"selector":{"matchLabels":{"batch.kubernetes.io/controller-uid":"u1"}},@template@},
             "status":{"succeeded":1,"startTime":"2026-01-01T11:50:00Z","completionTime":"2026-01-01T11:50:42Z",
               "conditions":[{"type":"SuccessCriteriaMet","status":"True"},{"type":"Complete","status":"True"}]}}
            """);
        Assert.Equal(["pi", "Complete", "1/1", "42s", "10m", "nginx,log", "nginx:1.27,busybox", "batch.kubernetes.io/controller-uid=u1"], row.Values);
    }

    [Fact]
    public void Running_work_queue_job_shows_parallelism_and_running_duration()
    {
        var row = Row(new("batch", "jobs"), """
            {"metadata":{"name":"q"},"spec":{"parallelism":3},"status":{"startTime":"@ago:90@","active":3}}
            """);
        Assert.Equal(("Running", "0/1 of 3", "90s"), (row["Status"], row["Completions"], row["Duration"]));
    }

    [Theory]
    [InlineData("Failed", "Failed")]
    [InlineData("Suspended", "Suspended")]
    [InlineData("FailureTarget", "FailureTarget")]
    public void Job_status_from_conditions(string condition, string expected) =>
        Assert.Equal(expected, Row(new("batch", "jobs"),
            """{"metadata":{"name":"j"},"spec":{},"status":{"conditions":[{"type":"@condition@","status":"True"}]}}""".Replace("@condition@", condition))["Status"]);

    [Fact]
    public void Deleting_job_is_terminating_and_has_no_duration_before_start()
    {
        var row = Row(new("batch", "jobs"), """{"metadata":{"name":"j","deletionTimestamp":"2026-01-01T11:00:00Z"},"spec":{"completions":2}}""");
        Assert.Equal(("Terminating", "0/2", ""), (row["Status"], row["Completions"], row["Duration"]));
    }

    [Fact]
    public void Cron_job_row()
    {
        var row = Row(new("batch", "cronjobs"), """
            {"metadata":{"name":"nightly","creationTimestamp":"@created@"},
             "spec":{"schedule":"0 3 * * *","timeZone":"Etc/UTC","suspend":false,"jobTemplate":{"spec":{@template@}}},
             "status":{"active":[{"name":"nightly-1"}],"lastScheduleTime":"@ago:240@"}}
            """);
        Assert.Equal(["nightly", "0 3 * * *", "Etc/UTC", "False", 1L, "4m", "10m", "nginx,log", "nginx:1.27,busybox", "<none>"], row.Values);
    }

    [Fact]
    public void Cron_job_never_scheduled()
    {
        var row = Row(new("batch", "cronjobs"), """{"metadata":{"name":"c"},"spec":{"schedule":"@hourly"}}""");
        Assert.Equal(("<none>", "<none>", "<unset>"), (row["Last Schedule"], row["Timezone"], row["Suspend"]));
    }

    [Fact]
    public void Hpa_with_cpu_and_memory_targets()
    {
        var row = Row(new("autoscaling", "horizontalpodautoscalers"), """
            {"metadata":{"name":"web"},
             "spec":{"scaleTargetRef":{"kind":"Deployment","name":"web"},"minReplicas":2,"maxReplicas":10,"metrics":[
               {"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":80}}},
               {"type":"Resource","resource":{"name":"memory","target":{"type":"AverageValue","averageValue":"500Mi"}}},
               {"type":"Pods","pods":{"metric":{"name":"qps"},"target":{"type":"AverageValue","averageValue":"1k"}}}]},
             "status":{"currentReplicas":3,"currentMetrics":[{"type":"Resource","resource":{"name":"cpu","current":{"averageUtilization":40,"averageValue":"100m"}}}]}}
            """);
        Assert.Equal(["web", "Deployment/web", "cpu: 40%/80%, memory: <unknown>/500Mi + 1 more...", "2", 10L, 3L, "<unknown>"], row.Values);
    }

    [Fact]
    public void Autoscaling_v1_hpa_prints_its_cpu_target()
    {
        var row = Row(new("autoscaling", "horizontalpodautoscalers"), """
            {"metadata":{"name":"web"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"web"},"maxReplicas":5,"targetCPUUtilizationPercentage":50}}
            """);
        Assert.Equal(("cpu: <unknown>/50%", "<unset>"), (row["Targets"], row["MinPods"]));
    }

    [Fact]
    public void Controller_revision_names_its_owner()
    {
        var row = Row(new("apps", "controllerrevisions"), """
            {"metadata":{"name":"web-7f","ownerReferences":[{"apiVersion":"apps/v1","kind":"StatefulSet","name":"web","controller":true}]},"revision":2}
            """);
        Assert.Equal(["web-7f", "statefulset.apps/web", 2L, "<unknown>"], row.Values);
    }

    [Fact]
    public void Pod_disruption_budget_row() =>
        Assert.Equal(["pdb", "50%", "N/A", 1L, "<unknown>"], Row(new("policy", "poddisruptionbudgets"),
            """{"metadata":{"name":"pdb"},"spec":{"minAvailable":"50%"},"status":{"disruptionsAllowed":1}}""").Values);
}
