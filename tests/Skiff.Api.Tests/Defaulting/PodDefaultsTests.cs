using static Skiff.Api.Tests.Defaulting.DefaultingAssert;

namespace Skiff.Api.Tests.Defaulting;

public class PodDefaultsTests
{
    [Fact]
    public void Minimal_pod_gets_exactly_upstreams_defaults()
    {
        var pod = Defaulted("", "v1", "Pod", """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}""");
        Equal($$$"""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{
              "containers":[{{{Container("c", "busybox", "Always")}}}],
              "dnsPolicy":"ClusterFirst","enableServiceLinks":true,"restartPolicy":"Always","schedulerName":"default-scheduler",
              "securityContext":{},"serviceAccount":"default","serviceAccountName":"default","terminationGracePeriodSeconds":30}}
            """, pod);
    }

    [Fact]
    public void Values_the_user_set_are_kept_even_when_zero_or_false()
    {
        var pod = Defaulted("", "v1", "Pod", """
            {"spec":{"restartPolicy":"Never","dnsPolicy":"Default","terminationGracePeriodSeconds":0,"schedulerName":"mine",
              "securityContext":{"runAsUser":1000},"enableServiceLinks":false,"serviceAccountName":"robot",
              "containers":[{"name":"c","image":"busybox:latest","imagePullPolicy":"Never","terminationMessagePath":"/tmp/t",
                "terminationMessagePolicy":"FallbackToLogsOnError","resources":{"requests":{"cpu":"1"}},
                "ports":[{"containerPort":53,"protocol":"UDP"}],
                "livenessProbe":{"exec":{"command":["true"]},"timeoutSeconds":5,"periodSeconds":7,"successThreshold":1,"failureThreshold":9}}],
              "volumes":[{"name":"s","secret":{"secretName":"s","defaultMode":256}},{"name":"h","hostPath":{"path":"/x","type":"Directory"}}]}}
            """);
        Equal("""
            {"spec":{"restartPolicy":"Never","dnsPolicy":"Default","terminationGracePeriodSeconds":0,"schedulerName":"mine",
              "securityContext":{"runAsUser":1000},"enableServiceLinks":false,"serviceAccountName":"robot","serviceAccount":"robot",
              "containers":[{"name":"c","image":"busybox:latest","imagePullPolicy":"Never","terminationMessagePath":"/tmp/t",
                "terminationMessagePolicy":"FallbackToLogsOnError","resources":{"requests":{"cpu":"1"}},
                "ports":[{"containerPort":53,"protocol":"UDP"}],
                "livenessProbe":{"exec":{"command":["true"]},"timeoutSeconds":5,"periodSeconds":7,"successThreshold":1,"failureThreshold":9}}],
              "volumes":[{"name":"s","secret":{"secretName":"s","defaultMode":256}},{"name":"h","hostPath":{"path":"/x","type":"Directory"}}]}}
            """, pod);
    }

    [Fact]
    public void Empty_strings_and_zero_plain_integers_count_as_unset_like_gos_zero_values()
    {
        var pod = Defaulted("", "v1", "Pod", """
            {"spec":{"restartPolicy":"","containers":[{"name":"c","image":"a:1","imagePullPolicy":"",
              "readinessProbe":{"tcpSocket":{"port":80},"timeoutSeconds":0}}]}}
            """);
        Assert.Equal("Always", (string?)pod["spec"]!["restartPolicy"]);
        Assert.Equal("IfNotPresent", (string?)pod["spec"]!["containers"]![0]!["imagePullPolicy"]);
        Equal("""{"tcpSocket":{"port":80},"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3}""",
            pod["spec"]!["containers"]![0]!["readinessProbe"]);
    }

    [Fact]
    public void Probes_lifecycle_env_and_ports_of_every_container_list()
    {
        var pod = Defaulted("", "v1", "Pod", """
            {"spec":{
              "initContainers":[{"name":"i","image":"a@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","ports":[{"containerPort":1}]}],
              "containers":[{"name":"c","image":"a:1",
                "env":[{"name":"N","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}},{"name":"V","value":"x"}],
                "livenessProbe":{"httpGet":{"port":8080}},
                "startupProbe":{"grpc":{"port":9090}},
                "lifecycle":{"preStop":{"httpGet":{"port":80,"path":"/stop"}}}}],
              "ephemeralContainers":[{"name":"e","image":"debug"}]}}
            """);
        var spec = pod["spec"]!;
        Equal("""
            {"name":"i","image":"a@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","ports":[{"containerPort":1,"protocol":"TCP"}],
             "imagePullPolicy":"IfNotPresent","resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}
            """, spec["initContainers"]![0]);
        Equal("""
            {"name":"c","image":"a:1","imagePullPolicy":"IfNotPresent","resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File",
             "env":[{"name":"N","valueFrom":{"fieldRef":{"fieldPath":"metadata.name","apiVersion":"v1"}}},{"name":"V","value":"x"}],
             "livenessProbe":{"httpGet":{"port":8080,"path":"/","scheme":"HTTP"},"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3},
             "startupProbe":{"grpc":{"port":9090,"service":""},"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3},
             "lifecycle":{"preStop":{"httpGet":{"port":80,"path":"/stop","scheme":"HTTP"}}}}
            """, spec["containers"]![0]);
        Equal(Container("e", "debug", "Always"), spec["ephemeralContainers"]![0]);
    }

    [Fact]
    public void Volumes_get_modes_types_and_an_empty_dir_when_they_name_no_source()
    {
        var pod = Defaulted("", "v1", "Pod", """
            {"spec":{"containers":[],"volumes":[
              {"name":"bare"},
              {"name":"e","emptyDir":{}},
              {"name":"h","hostPath":{"path":"/data"}},
              {"name":"s","secret":{"secretName":"s"}},
              {"name":"c","configMap":{"name":"c"}},
              {"name":"d","downwardAPI":{"items":[{"path":"n","fieldRef":{"fieldPath":"metadata.name"}}]}},
              {"name":"p","projected":{"sources":[{"serviceAccountToken":{"path":"token"}},{"downwardAPI":{"items":[{"path":"n","fieldRef":{"fieldPath":"metadata.name"}}]}}]}},
              {"name":"eph","ephemeral":{"volumeClaimTemplate":{"spec":{"accessModes":["ReadWriteOnce"]}}}},
              {"name":"img","image":{"reference":"artifact:v1"}}]}}
            """);
        Equal("""
            [{"name":"bare","emptyDir":{}},
             {"name":"e","emptyDir":{}},
             {"name":"h","hostPath":{"path":"/data","type":""}},
             {"name":"s","secret":{"secretName":"s","defaultMode":420}},
             {"name":"c","configMap":{"name":"c","defaultMode":420}},
             {"name":"d","downwardAPI":{"items":[{"path":"n","fieldRef":{"fieldPath":"metadata.name","apiVersion":"v1"}}],"defaultMode":420}},
             {"name":"p","projected":{"sources":[{"serviceAccountToken":{"path":"token","expirationSeconds":3600}},{"downwardAPI":{"items":[{"path":"n","fieldRef":{"fieldPath":"metadata.name","apiVersion":"v1"}}]}}],"defaultMode":420}},
             {"name":"eph","ephemeral":{"volumeClaimTemplate":{"spec":{"accessModes":["ReadWriteOnce"],"volumeMode":"Filesystem"}}}},
             {"name":"img","image":{"reference":"artifact:v1","pullPolicy":"IfNotPresent"}}]
            """, pod["spec"]!["volumes"]);
    }

    [Fact]
    public void Pods_copy_limits_into_missing_requests_and_host_network_ports_into_host_ports()
    {
        var pod = Defaulted("", "v1", "Pod", """
            {"spec":{"hostNetwork":true,"containers":[{"name":"c","image":"a:1",
              "resources":{"limits":{"cpu":"1","memory":"1Gi"},"requests":{"cpu":"500m"}},
              "ports":[{"containerPort":8080},{"containerPort":9090,"hostPort":9090}]}]}}
            """);
        var container = pod["spec"]!["containers"]![0]!;
        Equal("""{"limits":{"cpu":"1","memory":"1Gi"},"requests":{"cpu":"500m","memory":"1Gi"}}""", container["resources"]);
        Equal("""[{"containerPort":8080,"hostPort":8080,"protocol":"TCP"},{"containerPort":9090,"hostPort":9090,"protocol":"TCP"}]""", container["ports"]);
    }

    [Fact]
    public void Empty_limits_add_no_empty_requests()
    {
        var pod = Defaulted("", "v1", "Pod", """{"spec":{"containers":[{"name":"c","image":"a:1","resources":{"limits":{}}}]}}""");
        Equal("""{"limits":{}}""", pod["spec"]!["containers"]![0]!["resources"]);
    }

    [Fact]
    public void Deprecated_service_account_field_is_an_alias_of_the_name()
    {
        var pod = Defaulted("", "v1", "Pod", """{"spec":{"serviceAccount":"old","containers":[]}}""");
        Assert.Equal("old", (string?)pod["spec"]!["serviceAccountName"]);
        Assert.Equal("old", (string?)pod["spec"]!["serviceAccount"]);

        var both = Defaulted("", "v1", "Pod", """{"spec":{"serviceAccount":"old","serviceAccountName":"new","containers":[]}}""");
        Assert.Equal("new", (string?)both["spec"]!["serviceAccount"]);
    }

    [Fact]
    public void Pod_only_defaults_stay_out_of_templates()
    {
        var template = Defaulted("", "v1", "PodTemplate", """
            {"template":{"spec":{"hostNetwork":true,"containers":[{"name":"c","image":"a:1","resources":{"limits":{"cpu":"1"}},"ports":[{"containerPort":80}]}]}}}
            """);
        var spec = template["template"]!["spec"]!.AsObject();
        Assert.False(spec.ContainsKey("enableServiceLinks"));
        Assert.False(spec.ContainsKey("serviceAccountName"));
        Assert.False(spec.ContainsKey("serviceAccount"));
        Equal("""{"limits":{"cpu":"1"}}""", spec["containers"]![0]!["resources"]);
        Equal("""[{"containerPort":80,"protocol":"TCP"}]""", spec["containers"]![0]!["ports"]);
    }

    [Theory]
    [InlineData("busybox", "Always")]
    [InlineData("busybox:latest", "Always")]
    [InlineData("docker.io/library/busybox:latest", "Always")]
    [InlineData("localhost:5000/busybox", "Always")]
    [InlineData("busybox:1.36", "IfNotPresent")]
    [InlineData("localhost:5000/busybox:v1", "IfNotPresent")]
    [InlineData("busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "IfNotPresent")]
    [InlineData("busybox:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "Always")]
    [InlineData("BusyBox", "IfNotPresent")]
    [InlineData("", "IfNotPresent")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "IfNotPresent")]
    public void Pull_policy_follows_the_tag(string image, string expected) =>
        Assert.Equal(expected, Skiff.Api.Defaulting.ImagePullPolicy.For(image));
}
