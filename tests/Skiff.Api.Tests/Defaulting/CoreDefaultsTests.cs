using System.Text.Json.Nodes;
using Skiff.Api.Defaulting;
using static Skiff.Api.Tests.Defaulting.DefaultingAssert;

namespace Skiff.Api.Tests.Defaulting;

public class CoreDefaultsTests
{
    [Fact]
    public void Minimal_cluster_ip_service()
    {
        var s = Defaulted("", "v1", "Service", """{"metadata":{"name":"s"},"spec":{"selector":{"app":"a"},"ports":[{"port":80}]}}""");
        Equal("""
            {"metadata":{"name":"s"},"spec":{"selector":{"app":"a"},"ports":[{"port":80,"protocol":"TCP","targetPort":80}],
              "type":"ClusterIP","sessionAffinity":"None","internalTrafficPolicy":"Cluster"}}
            """, s);
    }

    [Fact]
    public void Node_port_and_load_balancer_services_are_externally_accessible()
    {
        var nodePort = Defaulted("", "v1", "Service", """{"spec":{"type":"NodePort","ports":[{"port":80,"targetPort":"http","protocol":"UDP"}]}}""");
        Equal("""
            {"spec":{"type":"NodePort","ports":[{"port":80,"targetPort":"http","protocol":"UDP"}],"sessionAffinity":"None",
              "externalTrafficPolicy":"Cluster","internalTrafficPolicy":"Cluster"}}
            """, nodePort);

        var lb = Defaulted("", "v1", "Service", """
            {"spec":{"type":"LoadBalancer","externalTrafficPolicy":"Local","ports":[{"port":443,"targetPort":8443}]},
             "status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.1"},{"hostname":"lb.example"}]}}}
            """);
        Equal("""
            {"spec":{"type":"LoadBalancer","externalTrafficPolicy":"Local","ports":[{"port":443,"targetPort":8443,"protocol":"TCP"}],
              "sessionAffinity":"None","internalTrafficPolicy":"Cluster","allocateLoadBalancerNodePorts":true},
             "status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.1","ipMode":"VIP"},{"hostname":"lb.example"}]}}}
            """, lb);
    }

    [Fact]
    public void Cluster_ip_with_external_ips_gets_an_external_policy_and_external_name_gets_neither_policy()
    {
        var external = Defaulted("", "v1", "Service", """{"spec":{"externalIPs":["192.0.2.9"],"ports":[{"port":80,"targetPort":0}]}}""");
        Assert.Equal("Cluster", (string?)external["spec"]!["externalTrafficPolicy"]);
        Assert.Equal(80, (int)external["spec"]!["ports"]![0]!["targetPort"]!);

        var name = Defaulted("", "v1", "Service", """{"spec":{"type":"ExternalName","externalName":"db.example"}}""");
        Equal("""{"spec":{"type":"ExternalName","externalName":"db.example","sessionAffinity":"None"}}""", name);
    }

    [Fact]
    public void Session_affinity_config_follows_the_affinity()
    {
        var clientIp = Defaulted("", "v1", "Service", """{"spec":{"sessionAffinity":"ClientIP","sessionAffinityConfig":{"clientIP":{}}}}""");
        Equal("""{"clientIP":{"timeoutSeconds":10800}}""", clientIp["spec"]!["sessionAffinityConfig"]);

        var kept = Defaulted("", "v1", "Service", """{"spec":{"sessionAffinity":"ClientIP","sessionAffinityConfig":{"clientIP":{"timeoutSeconds":60}}}}""");
        Equal("""{"clientIP":{"timeoutSeconds":60}}""", kept["spec"]!["sessionAffinityConfig"]);

        var none = Defaulted("", "v1", "Service", """{"spec":{"sessionAffinityConfig":{"clientIP":{"timeoutSeconds":60}}}}""");
        Assert.False(none["spec"]!.AsObject().ContainsKey("sessionAffinityConfig"));
    }

    [Fact]
    public void Secret_type_defaults_to_opaque_and_keeps_a_set_type()
    {
        Equal("""{"data":{},"type":"Opaque"}""", Defaulted("", "v1", "Secret", """{"data":{}}"""));
        Equal("""{"type":"kubernetes.io/tls"}""", Defaulted("", "v1", "Secret", """{"type":"kubernetes.io/tls"}"""));
    }

    [Fact]
    public void Namespace_carries_its_name_label_and_is_active()
    {
        var ns = Defaulted("", "v1", "Namespace", """{"metadata":{"name":"team","labels":{"kubernetes.io/metadata.name":"other","x":"y"}}}""");
        Equal("""{"metadata":{"name":"team","labels":{"kubernetes.io/metadata.name":"team","x":"y"}},"status":{"phase":"Active"}}""", ns);
        var generated = Defaulted("", "v1", "Namespace", """{"metadata":{"generateName":"t-"}}""");
        Equal("""{"metadata":{"generateName":"t-"},"status":{"phase":"Active"}}""", generated);
    }

    [Fact]
    public void Claims_and_volumes()
    {
        Equal("""{"spec":{"accessModes":["ReadWriteOnce"],"volumeMode":"Filesystem"},"status":{"phase":"Pending"}}""",
            Defaulted("", "v1", "PersistentVolumeClaim", """{"spec":{"accessModes":["ReadWriteOnce"]}}"""));
        Equal("""{"spec":{"volumeMode":"Block"},"status":{"phase":"Bound"}}""",
            Defaulted("", "v1", "PersistentVolumeClaim", """{"spec":{"volumeMode":"Block"},"status":{"phase":"Bound"}}"""));
        Equal("""
            {"spec":{"hostPath":{"path":"/d","type":""},"persistentVolumeReclaimPolicy":"Retain","volumeMode":"Filesystem"},"status":{"phase":"Pending"}}
            """, Defaulted("", "v1", "PersistentVolume", """{"spec":{"hostPath":{"path":"/d"}}}"""));
    }

    [Fact]
    public void Endpoints_ports_and_limit_range_container_defaults()
    {
        Equal("""{"subsets":[{"ports":[{"port":80,"protocol":"TCP"}]}]}""",
            Defaulted("", "v1", "Endpoints", """{"subsets":[{"ports":[{"port":80}]}]}"""));
        var lr = Defaulted("", "v1", "LimitRange", """
            {"spec":{"limits":[{"type":"Container","max":{"cpu":"2"},"min":{"memory":"64Mi"}},{"type":"Pod","max":{"cpu":"4"}},{"type":"Container"}]}}
            """);
        Equal("""
            {"spec":{"limits":[{"type":"Container","max":{"cpu":"2"},"min":{"memory":"64Mi"},"default":{"cpu":"2"},"defaultRequest":{"cpu":"2","memory":"64Mi"}},
              {"type":"Pod","max":{"cpu":"4"}},{"type":"Container"}]}}
            """, lr);
    }

    [Fact]
    public void Node_allocatable_defaults_to_capacity()
    {
        Equal("""{"status":{"capacity":{"cpu":"2","pods":"110"},"allocatable":{"cpu":"2","pods":"110"}}}""",
            Defaulted("", "v1", "Node", """{"status":{"capacity":{"cpu":"2","pods":"110"}}}"""));
        Equal("""{"status":{"capacity":{"cpu":"2"},"allocatable":{"cpu":"1500m"}}}""",
            Defaulted("", "v1", "Node", """{"status":{"capacity":{"cpu":"2"},"allocatable":{"cpu":"1500m"}}}"""));
    }

    [Theory]
    [InlineData("", "v1", "ConfigMap")]
    [InlineData("apps", "v1beta2", "Deployment")]
    [InlineData("example.com", "v1", "Widget")]
    public void Kinds_without_defaults_are_left_alone(string group, string version, string kind)
    {
        Equal("""{"spec":{"replicas":null},"data":{"a":"b"}}""", Defaulted(group, version, kind, """{"spec":{"replicas":null},"data":{"a":"b"}}"""));
        Assert.False(Defaulter.Knows(group, version, kind));
    }

    [Fact]
    public void Apply_mutates_the_given_object()
    {
        var obj = new JsonObject { ["type"] = "" };
        Defaulter.Apply("", "v1", "Secret", obj);
        Assert.Equal("Opaque", (string?)obj["type"]);
    }
}
