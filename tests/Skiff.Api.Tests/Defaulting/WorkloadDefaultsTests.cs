using static Skiff.Api.Tests.Defaulting.DefaultingAssert;

namespace Skiff.Api.Tests.Defaulting;

public class WorkloadDefaultsTests
{
    [Fact]
    public void Minimal_deployment()
    {
        var d = Defaulted("apps", "v1", "Deployment", """{"spec":{"selector":{"matchLabels":{"app":"a"}},"template":@TEMPLATE}}""");
        Equal("""
            {"spec":{"selector":{"matchLabels":{"app":"a"}},"replicas":1,
              "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}},
              "revisionHistoryLimit":10,"progressDeadlineSeconds":600,
              "template":{"metadata":{"labels":{"app":"a"}},"spec":@SPEC}}}
            """, d);
    }

    [Fact]
    public void Deployment_keeps_set_values_and_recreate_gets_no_rolling_update()
    {
        var d = Defaulted("apps", "v1", "Deployment", """
            {"spec":{"replicas":0,"revisionHistoryLimit":0,"progressDeadlineSeconds":60,"strategy":{"type":"Recreate"},"template":@TEMPLATE}}
            """);
        Equal("""{"type":"Recreate"}""", d["spec"]!["strategy"]);
        Assert.Equal(0, (int)d["spec"]!["replicas"]!);
        Assert.Equal(0, (int)d["spec"]!["revisionHistoryLimit"]!);
        Assert.Equal(60, (int)d["spec"]!["progressDeadlineSeconds"]!);

        var partial = Defaulted("apps", "v1", "Deployment", """{"spec":{"strategy":{"rollingUpdate":{"maxSurge":0}},"template":@TEMPLATE}}""");
        Equal("""{"type":"RollingUpdate","rollingUpdate":{"maxSurge":0,"maxUnavailable":"25%"}}""", partial["spec"]!["strategy"]);
    }

    [Fact]
    public void Minimal_replica_set() =>
        Equal("""{"spec":{"replicas":1,"template":{"metadata":{"labels":{"app":"a"}},"spec":@SPEC}}}""",
            Defaulted("apps", "v1", "ReplicaSet", """{"spec":{"template":@TEMPLATE}}"""));

    [Fact]
    public void Minimal_daemon_set()
    {
        var d = Defaulted("apps", "v1", "DaemonSet", """{"spec":{"template":@TEMPLATE}}""");
        Equal("""
            {"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":1,"maxSurge":0}},"revisionHistoryLimit":10,
              "template":{"metadata":{"labels":{"app":"a"}},"spec":@SPEC}}}
            """, d);
        var onDelete = Defaulted("apps", "v1", "DaemonSet", """{"spec":{"updateStrategy":{"type":"OnDelete"},"template":@TEMPLATE}}""");
        Equal("""{"type":"OnDelete"}""", onDelete["spec"]!["updateStrategy"]);
    }

    [Fact]
    public void Minimal_stateful_set_with_a_claim_template()
    {
        var s = Defaulted("apps", "v1", "StatefulSet", """
            {"spec":{"serviceName":"web","template":@TEMPLATE,
              "volumeClaimTemplates":[{"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"]}}]}}
            """);
        Equal("""
            {"spec":{"serviceName":"web","podManagementPolicy":"OrderedReady","replicas":1,"revisionHistoryLimit":10,
              "updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":0,"maxUnavailable":1}},
              "persistentVolumeClaimRetentionPolicy":{"whenDeleted":"Retain","whenScaled":"Retain"},
              "template":{"metadata":{"labels":{"app":"a"}},"spec":@SPEC},
              "volumeClaimTemplates":[{"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"],"volumeMode":"Filesystem"},"status":{"phase":"Pending"}}]}}
            """, s);
    }

    [Fact]
    public void Stateful_set_explicit_strategies_stay_as_written()
    {
        var explicitRolling = Defaulted("apps", "v1", "StatefulSet", """{"spec":{"updateStrategy":{"type":"RollingUpdate"},"template":@TEMPLATE}}""");
        Equal("""{"type":"RollingUpdate"}""", explicitRolling["spec"]!["updateStrategy"]);
        var partition = Defaulted("apps", "v1", "StatefulSet", """
            {"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}},"persistentVolumeClaimRetentionPolicy":{"whenDeleted":"Delete"},"template":@TEMPLATE}}
            """);
        Equal("""{"rollingUpdate":{"partition":2,"maxUnavailable":1},"type":"RollingUpdate"}""", partition["spec"]!["updateStrategy"]);
        Equal("""{"whenDeleted":"Delete","whenScaled":"Retain"}""", partition["spec"]!["persistentVolumeClaimRetentionPolicy"]);
    }

    [Fact]
    public void Minimal_job_keeps_its_restart_policy_and_labels_follow_the_template()
    {
        var j = Defaulted("batch", "v1", "Job", """
            {"metadata":{"name":"j"},"spec":{"template":{"metadata":{"labels":{"app":"a"}},"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox:1"}]}}}}
            """);
        Equal("""
            {"metadata":{"name":"j","labels":{"app":"a"}},"spec":{"completions":1,"parallelism":1,"backoffLimit":6,"completionMode":"NonIndexed",
              "suspend":false,"podReplacementPolicy":"TerminatingOrFailed","manualSelector":false,
              "template":{"metadata":{"labels":{"app":"a"}},"spec":@SPEC(Never)}}}
            """, j);
    }

    [Fact]
    public void Job_completions_backoff_and_replacement_follow_related_fields()
    {
        var parallel = Defaulted("batch", "v1", "Job", """{"metadata":{"labels":{"mine":"x"}},"spec":{"parallelism":3,"template":{"metadata":{"labels":{"app":"a"}},"spec":{"containers":[]}}}}""");
        Assert.False(parallel["spec"]!.AsObject().ContainsKey("completions"));
        Equal("""{"mine":"x"}""", parallel["metadata"]!["labels"]);

        var completionsOnly = Defaulted("batch", "v1", "Job", """{"spec":{"completions":5,"template":{"spec":{"containers":[]}}}}""");
        Assert.Equal(5, (int)completionsOnly["spec"]!["completions"]!);
        Assert.Equal(1, (int)completionsOnly["spec"]!["parallelism"]!);

        var perIndex = Defaulted("batch", "v1", "Job", """
            {"spec":{"completionMode":"Indexed","completions":3,"backoffLimitPerIndex":1,
              "podFailurePolicy":{"rules":[{"action":"Ignore","onPodConditions":[{"type":"DisruptionTarget"}]}]},"template":{"spec":{"containers":[]}}}}
            """);
        Assert.Equal(int.MaxValue, (int)perIndex["spec"]!["backoffLimit"]!);
        Assert.Equal("Failed", (string?)perIndex["spec"]!["podReplacementPolicy"]);
        Equal("""[{"type":"DisruptionTarget","status":"True"}]""", perIndex["spec"]!["podFailurePolicy"]!["rules"]![0]!["onPodConditions"]);
    }

    [Fact]
    public void Minimal_cron_job_defaults_its_pod_template_but_not_its_job_spec()
    {
        var c = Defaulted("batch", "v1", "CronJob", """
            {"spec":{"schedule":"* * * * *","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure","containers":[{"name":"c","image":"busybox:1"}]}}}}}}
            """);
        Equal("""
            {"spec":{"schedule":"* * * * *","concurrencyPolicy":"Allow","suspend":false,"successfulJobsHistoryLimit":3,"failedJobsHistoryLimit":1,
              "jobTemplate":{"metadata":{},"spec":{"template":{"metadata":{},"spec":@SPEC(OnFailure)}}}}}
            """, c);
    }

    [Fact]
    public void Replication_controller_takes_selector_and_labels_from_its_template()
    {
        var rc = Defaulted("", "v1", "ReplicationController", """{"metadata":{"name":"rc"},"spec":{"template":@TEMPLATE}}""");
        Equal("""
            {"metadata":{"name":"rc","labels":{"app":"a"}},"spec":{"selector":{"app":"a"},"replicas":1,
              "template":{"metadata":{"labels":{"app":"a"}},"spec":@SPEC}}}
            """, rc);
        var own = Defaulted("", "v1", "ReplicationController", """{"metadata":{"labels":{"x":"y"}},"spec":{"selector":{"app":"a"},"replicas":2,"template":@TEMPLATE}}""");
        Equal("""{"x":"y"}""", own["metadata"]!["labels"]);
        Assert.Equal(2, (int)own["spec"]!["replicas"]!);
    }

    [Fact]
    public void Empty_template_labels_are_not_copied()
    {
        var job = Defaulted("batch", "v1", "Job", """{"metadata":{"name":"j"},"spec":{"template":{"metadata":{"labels":{}},"spec":{"containers":[]}}}}""");
        Equal("""{"name":"j"}""", job["metadata"]);
        var rc = Defaulted("", "v1", "ReplicationController", """{"metadata":{"name":"rc"},"spec":{"template":{"metadata":{"labels":{}},"spec":{"containers":[]}}}}""");
        Equal("""{"name":"rc"}""", rc["metadata"]);
        Assert.False(rc["spec"]!.AsObject().ContainsKey("selector"));
    }

    [Fact]
    public void Pod_template() =>
        Equal("""{"template":{"metadata":{"labels":{"app":"a"}},"spec":@SPEC}}""",
            Defaulted("", "v1", "PodTemplate", """{"template":@TEMPLATE}"""));
}
