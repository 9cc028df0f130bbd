using Skiff.Api.Meta;
using Skiff.ApiServer.Tables;
using static Skiff.ApiServer.Tests.Tables.TableTestKit;

namespace Skiff.ApiServer.Tests.Tables;

public class CoreTablesTests
{
    [Fact]
    public void Node_ready_cordoned_with_roles()
    {
        var row = Row(new("", "nodes"), """
            {"metadata":{"name":"n1","creationTimestamp":"@created@",
               "labels":{"node-role.kubernetes.io/control-plane":"","node-role.kubernetes.io/master":"","kubernetes.io/role":"etcd"}},
             "spec":{"unschedulable":true},
             "status":{"conditions":[{"type":"MemoryPressure","status":"False"},{"type":"Ready","status":"True"}],
               "addresses":[{"type":"Hostname","address":"n1"},{"type":"InternalIP","address":"192.168.1.5"}],
               "nodeInfo":{"kubeletVersion":"v1.36.0","osImage":"Debian GNU/Linux 12","kernelVersion":"6.1.0","containerRuntimeVersion":"containerd://1.6.20"}}}
            """);
        Assert.Equal(["n1", "Ready,SchedulingDisabled", "control-plane,etcd,master", "10m", "v1.36.0", "192.168.1.5", "<none>",
            "Debian GNU/Linux 12", "6.1.0", "containerd://1.6.20"], row.Values);
    }

    [Fact]
    public void Node_without_ready_condition_is_unknown()
    {
        var row = Row(new("", "nodes"), """{"metadata":{"name":"n1"},"status":{}}""");
        Assert.Equal("Unknown", row["Status"]);
        Assert.Equal("<none>", row["Roles"]);
        Assert.Equal("<unknown>", row["OS-Image"]);
    }

    [Fact]
    public void Namespace_status() =>
        Assert.Equal(["kube-system", "Active", "10m"],
            Row(new("", "namespaces"), """{"metadata":{"name":"kube-system","creationTimestamp":"@created@"},"status":{"phase":"Active"}}""").Values);

    [Fact]
    public void Cluster_ip_service()
    {
        var row = Row(new("", "services"), """
            {"metadata":{"name":"kubernetes","creationTimestamp":"@created@"},
             "spec":{"type":"ClusterIP","clusterIP":"10.43.0.1","clusterIPs":["10.43.0.1"],
               "ports":[{"port":443,"protocol":"TCP","targetPort":6443}]}}
            """);
        Assert.Equal(["kubernetes", "ClusterIP", "10.43.0.1", "<none>", "443/TCP", "10m", "<none>"], row.Values);
    }

    [Fact]
    public void Node_port_service_with_selector()
    {
        var row = Row(new("", "services"), """
            {"metadata":{"name":"web"},
             "spec":{"type":"NodePort","clusterIPs":["10.43.7.7"],"selector":{"tier":"fe","app":"web"},
               "ports":[{"port":80,"nodePort":30080,"protocol":"TCP"},{"port":53,"protocol":"UDP"}]}}
            """);
        Assert.Equal("80:30080/TCP,53/UDP", row["Port(s)"]);
        Assert.Equal("app=web,tier=fe", row["Selector"]);
    }

    [Fact]
    public void Load_balancer_service_pending_then_assigned()
    {
        Assert.Equal("<pending>", Row(new("", "services"), """{"metadata":{"name":"lb"},"spec":{"type":"LoadBalancer"}}""")["External-IP"]);
        var row = Row(new("", "services"), """
            {"metadata":{"name":"lb"},"spec":{"type":"LoadBalancer","externalIPs":["1.2.3.4"]},
             "status":{"loadBalancer":{"ingress":[{"ip":"192.168.1.20"},{"hostname":"lb.example.com"}]}}}
            """);
        Assert.Equal("192.168.1.20,lb.example.com,1.2.3.4", row["External-IP"]);
        Assert.Equal("<none>", row["Cluster-IP"]);
        Assert.Equal("<none>", row["Port(s)"]);
    }

    [Fact]
    public void External_name_service() =>
        Assert.Equal("db.example.com", Row(new("", "services"),
            """{"metadata":{"name":"db"},"spec":{"type":"ExternalName","externalName":"db.example.com"}}""")["External-IP"]);

    [Fact]
    public void Endpoints_list_three_then_count_the_rest()
    {
        var row = Row(new("", "endpoints"), """
            {"metadata":{"name":"web"},"subsets":[{"addresses":[{"ip":"10.42.0.1"},{"ip":"10.42.0.2"},{"ip":"fd00::3"},{"ip":"10.42.0.4"}],
              "ports":[{"port":8080}]}]}
            """);
        Assert.Equal("10.42.0.1:8080,10.42.0.2:8080,[fd00::3]:8080 + 1 more...", row["Endpoints"]);
        Assert.Equal("<none>", Row(new("", "endpoints"), """{"metadata":{"name":"e"}}""")["Endpoints"]);
    }

    [Fact]
    public void Config_map_counts_data_and_binary_data() =>
        Assert.Equal(3L, Row(new("", "configmaps"), """{"metadata":{"name":"c"},"data":{"a":"1","b":"2"},"binaryData":{"c":"AA=="}}""")["Data"]);

    [Fact]
    public void Secret_type_and_data() =>
        Assert.Equal(["s", "kubernetes.io/tls", 2L, "<unknown>"],
            Row(new("", "secrets"), """{"metadata":{"name":"s"},"type":"kubernetes.io/tls","data":{"tls.crt":"","tls.key":""}}""").Values);

    [Fact]
    public void Service_account_counts_secrets() =>
        Assert.Equal(0L, Row(new("", "serviceaccounts"), """{"metadata":{"name":"default"}}""")["Secrets"]);

    [Fact]
    public void Bound_persistent_volume()
    {
        var row = Row(new("", "persistentvolumes"), """
            {"metadata":{"name":"pv1"},
             "spec":{"capacity":{"storage":"10Gi"},"accessModes":["ReadWriteMany","ReadWriteOnce"],"persistentVolumeReclaimPolicy":"Retain",
               "claimRef":{"namespace":"default","name":"data"},"storageClassName":"local-path","volumeMode":"Filesystem"},
             "status":{"phase":"Bound"}}
            """);
        Assert.Equal(["pv1", "10Gi", "RWO,RWX", "Retain", "Bound", "default/data", "local-path", "<unset>", "", "<unknown>", "Filesystem"], row.Values);
    }

    [Fact]
    public void Pending_claim_shows_no_capacity()
    {
        var row = Row(new("", "persistentvolumeclaims"), """
            {"metadata":{"name":"data"},"spec":{"storageClassName":"local-path","resources":{"requests":{"storage":"1Gi"}}},
             "status":{"phase":"Pending"}}
            """);
        Assert.Equal(["data", "Pending", "", "", "", "local-path", "<unset>", "<unknown>", "<unset>"], row.Values);
    }

    [Fact]
    public void Bound_claim_shows_status_capacity()
    {
        var row = Row(new("", "persistentvolumeclaims"), """
            {"metadata":{"name":"data"},"spec":{"volumeName":"pv1","volumeMode":"Block"},
             "status":{"phase":"Bound","capacity":{"storage":"5Gi"},"accessModes":["ReadWriteOncePod"]}}
            """);
        Assert.Equal(("pv1", "5Gi", "RWOP", "Block"), (row["Volume"], row["Capacity"], row["Access Modes"], row["VolumeMode"]));
    }

    [Fact]
    public void Core_event_row()
    {
        var row = Row(new("", "events"), """
            {"metadata":{"name":"web.17a"},"type":"Warning","reason":"BackOff","message":"Back-off restarting failed container\n",
             "involvedObject":{"kind":"Pod","name":"web","fieldPath":"spec.containers{c}"},
             "source":{"component":"kubelet","host":"node-a"},
             "firstTimestamp":"@ago:300@","lastTimestamp":"@ago:30@","count":4}
            """);
        Assert.Equal(["30s", "Warning", "BackOff", "pod/web", "spec.containers{c}", "kubelet, node-a",
            "Back-off restarting failed container", "5m", 4L, "web.17a"], row.Values);
    }

    [Fact]
    public void Events_k8s_io_event_row_uses_its_own_field_names()
    {
        var row = Row(new("events.k8s.io", "events"), """
            {"apiVersion":"events.k8s.io/v1","metadata":{"name":"e1"},"type":"Normal","reason":"Scheduled","note":"Assigned",
             "regarding":{"kind":"Pod","name":"web"},"reportingController":"default-scheduler",
             "eventTime":"@ago:45@"}
            """);
        Assert.Equal(["45s", "Normal", "Scheduled", "pod/web", "", "default-scheduler", "Assigned", "45s", 1L, "e1"], row.Values);
    }

    [Fact]
    public void Event_series_overrides_last_seen_and_count()
    {
        var row = Row(new("", "events"), """
            {"metadata":{"name":"e"},"involvedObject":{"kind":"Node"},"eventTime":"@ago:3600@",
             "series":{"count":7,"lastObservedTime":"@ago:3@"}}
            """);
        Assert.Equal(("3s", "60m", 7L, "node"), (row["Last Seen"], row["First Seen"], row["Count"], row["Object"]));
    }

    [Fact]
    public void Replication_controller_defaults_to_one_replica()
    {
        var row = Row(new("", "replicationcontrollers"), """
            {"metadata":{"name":"rc"},"spec":{"selector":{"app":"x"},"template":{"spec":{"containers":[{"name":"a","image":"busybox"}]}}},
             "status":{"replicas":1,"readyReplicas":1}}
            """);
        Assert.Equal(["rc", 1L, 1L, 1L, "<unknown>", "a", "busybox", "app=x"], row.Values);
    }

    [Fact]
    public void Pod_template_row() =>
        Assert.Equal(["t", "a,b", "img-a,img-b", "app=x"], Row(new("", "podtemplates"), """
            {"metadata":{"name":"t"},"template":{"metadata":{"labels":{"app":"x"}},
             "spec":{"containers":[{"name":"a","image":"img-a"},{"name":"b","image":"img-b"}]}}}
            """).Values);

    [Fact]
    public void Resource_quota_splits_requests_and_limits()
    {
        var row = Row(new("", "resourcequotas"), """
            {"metadata":{"name":"q"},"status":{"hard":{"pods":"10","limits.cpu":"2","requests.memory":"1Gi"},
              "used":{"pods":"3","limits.cpu":"500m"}}}
            """);
        Assert.Equal("pods: 3/10, requests.memory: 0/1Gi", row["Request"]);
        Assert.Equal("limits.cpu: 500m/2", row["Limit"]);
    }
}
