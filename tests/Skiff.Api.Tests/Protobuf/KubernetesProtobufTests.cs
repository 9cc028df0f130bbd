using System.Text;
using System.Text.Json.Nodes;
using Skiff.Api.Meta;
using Skiff.Api.Protobuf;

namespace Skiff.Api.Tests.Protobuf;

public sealed class KubernetesProtobufTests
{
    private static JsonObject Decode(byte[] body)
    {
        Assert.True(KubernetesProtobuf.TryDecodeToJson(body, out var obj, out var error), error);
        Assert.Null(error);
        return obj!;
    }

    /// <summary>ObjectMeta as gogo writes it for a new object: name, then a zero creationTimestamp (always
    /// present, since it is not a pointer).</summary>
    private static Action<ProtoWriter> Meta(string name, string? ns = null) => m =>
    {
        m.String(1, name).String(2, "");
        if (ns is not null) m.String(3, ns);
        m.Message(8, _ => { });
    };

    [Fact]
    public void ConfigMap_with_data_and_binaryData()
    {
        var body = ProtoWriter.Envelope("v1", "ConfigMap", o => o
            .Message(1, m => Meta("settings", "prod")(m.MapEntry(11, "app", "web")))
            .MapEntry(2, "a", "1")
            .MapEntry(2, "empty", "")
            .MapEntry(3, "blob", [0, 1, 2, 255]));

        var json = Decode(body);

        Assert.Equal("v1", (string?)json["apiVersion"]);
        Assert.Equal("ConfigMap", (string?)json["kind"]);
        Assert.Equal("settings", (string?)json["metadata"]!["name"]);
        Assert.Equal("prod", (string?)json["metadata"]!["namespace"]);
        Assert.Equal("web", (string?)json["metadata"]!["labels"]!["app"]);
        Assert.False(json["metadata"]!.AsObject().ContainsKey("generateName"), "empty strings are omitted");
        Assert.False(json["metadata"]!.AsObject().ContainsKey("creationTimestamp"), "a zero Time is omitted");
        Assert.Equal("1", (string?)json["data"]!["a"]);
        Assert.Equal("", (string?)json["data"]!["empty"]);
        Assert.Equal(Convert.ToBase64String(new byte[] { 0, 1, 2, 255 }), (string?)json["binaryData"]!["blob"]);
        Assert.False(json.ContainsKey("immutable"));
    }

    [Fact]
    public void Secret_data_is_base64_and_a_pointer_false_is_kept()
    {
        var body = ProtoWriter.Envelope("v1", "Secret", o => o
            .Message(1, Meta("creds"))
            .MapEntry(2, "password", Encoding.UTF8.GetBytes("s3cr3t"))
            .String(3, "Opaque")
            .Bool(5, false));

        var json = Decode(body);

        Assert.Equal("czNjcjN0", (string?)json["data"]!["password"]);
        Assert.Equal("Opaque", (string?)json["type"]);
        Assert.False((bool)json["immutable"]!, "immutable is *bool: present on the wire means set");
    }

    [Fact]
    public void Namespace_keeps_empty_spec_and_status_objects()
    {
        var body = ProtoWriter.Envelope("v1", "Namespace", o => o
            .Message(1, Meta("team-a"))
            .Message(2, _ => { })
            .Message(3, s => s.String(1, "")));

        var json = Decode(body);

        Assert.Equal("team-a", (string?)json["metadata"]!["name"]);
        Assert.Equal("{}", json["spec"]!.ToJsonString());
        Assert.Equal("{}", json["status"]!.ToJsonString());
    }

    [Fact]
    public void Deployment_with_a_pod_template()
    {
        var body = ProtoWriter.Envelope("apps/v1", "Deployment", o => o
            .Message(1, m => Meta("web")(m.MapEntry(11, "app", "web")))
            .Message(2, spec => spec
                .Varint(1, 2)
                .Message(2, sel => sel.MapEntry(1, "app", "web"))
                .Message(3, tpl => tpl
                    .Message(1, m => m.MapEntry(11, "app", "web").Message(8, _ => { }))
                    .Message(2, pod => pod
                        .Message(2, c => c
                            .String(1, "nginx")
                            .String(2, "nginx:1.27")
                            .String(3, "nginx").String(3, "-g")
                            .Message(6, p => p.String(1, "http").Varint(3, 80).String(4, "TCP"))
                            .Message(7, e => e.String(1, "MODE").String(2, "prod"))
                            .Message(7, e => e.String(1, "POD").Message(3, s => s.Message(1, f => f.String(2, "metadata.name"))))
                            .Message(8, r => r.QuantityEntry(1, "cpu", "500m").QuantityEntry(2, "memory", "64Mi"))
                            .Message(10, probe => probe
                                .Message(1, h => h.Message(2, g => g.String(1, "/healthz").Message(2, port => port.Varint(1, 1).String(3, "http"))))
                                .Varint(2, 5)))
                        .String(3, "Always")
                        .Varint(4, 0)))
                .Message(4, strategy => strategy
                    .String(1, "RollingUpdate")
                    .Message(2, ru => ru
                        .Message(1, u => u.Varint(1, 0).Varint(2, 0))
                        .Message(2, s => s.Varint(1, 1).String(3, "25%"))))
                .Varint(5, 0)
                .Varint(7, 0))
            .Message(3, _ => { }));

        var json = Decode(body);
        var spec = json["spec"]!;
        Assert.Equal(2, (int)spec["replicas"]!);
        Assert.Equal("web", (string?)spec["selector"]!["matchLabels"]!["app"]);
        var pod = spec["template"]!["spec"]!;
        var container = pod["containers"]![0]!;
        Assert.Equal("nginx", (string?)container["name"]);
        Assert.Equal("nginx:1.27", (string?)container["image"]);
        Assert.Equal("""["nginx","-g"]""", container["command"]!.ToJsonString());
        Assert.Equal(80, (int)container["ports"]![0]!["containerPort"]!);
        Assert.Equal("TCP", (string?)container["ports"]![0]!["protocol"]);
        Assert.Equal("prod", (string?)container["env"]![0]!["value"]);
        Assert.Equal("metadata.name", (string?)container["env"]![1]!["valueFrom"]!["fieldRef"]!["fieldPath"]);
        Assert.Equal("500m", (string?)container["resources"]!["limits"]!["cpu"]);
        Assert.Equal("64Mi", (string?)container["resources"]!["requests"]!["memory"]);
        var probe = container["livenessProbe"]!;
        Assert.Equal("/healthz", (string?)probe["httpGet"]!["path"]);
        Assert.Equal("http", (string?)probe["httpGet"]!["port"]);
        Assert.Equal(5, (int)probe["initialDelaySeconds"]!);
        Assert.Null(probe["handler"]);
        Assert.Equal(0, (long)pod["terminationGracePeriodSeconds"]!);
        var rolling = spec["strategy"]!["rollingUpdate"]!;
        Assert.Equal(0, (int)rolling["maxUnavailable"]!);
        Assert.Equal("25%", (string?)rolling["maxSurge"]);
        Assert.False(spec.AsObject().ContainsKey("minReadySeconds"));
        Assert.False(spec.AsObject().ContainsKey("paused"));
        Assert.Equal("{}", json["status"]!.ToJsonString());
    }

    [Fact]
    public void Required_zero_scalars_are_kept_and_optional_ones_dropped()
    {
        var body = ProtoWriter.Envelope("v1", "Pod", o => o
            .Message(1, Meta("p"))
            .Message(2, spec => spec.Message(2, c => c
                .String(1, "")
                .Message(6, p => p.String(1, "").Varint(2, 0).Varint(3, 0).String(4, "TCP")))));

        var container = Decode(body)["spec"]!["containers"]![0]!;

        Assert.Equal("", (string?)container["name"]);
        var port = container["ports"]![0]!.AsObject();
        Assert.Equal(0, (int)port["containerPort"]!);
        Assert.False(port.ContainsKey("hostPort"));
        Assert.False(port.ContainsKey("name"));
    }

    [Fact]
    public void PriorityClass_drops_a_false_globalDefault()
    {
        var body = ProtoWriter.Envelope("scheduling.k8s.io/v1", "PriorityClass", o => o
            .Message(1, Meta("high"))
            .Varint(2, 1000)
            .Bool(3, false)
            .String(4, "for important pods")
            .String(5, "Never"));

        var json = Decode(body);

        Assert.Equal(1000, (int)json["value"]!);
        Assert.False(json.ContainsKey("globalDefault"));
        Assert.Equal("for important pods", (string?)json["description"]);
        Assert.Equal("Never", (string?)json["preemptionPolicy"]);
    }

    [Fact]
    public void Negative_int32_and_times_decode()
    {
        var body = ProtoWriter.Envelope("v1", "Event", o => o
            .Message(1, m => m.String(1, "e1").Message(8, t => t.Varint(1, 1767323045)))
            .Message(2, r => r.String(1, "Pod").String(3, "web"))
            .Varint(8, -1)
            .Message(10, t => t.Varint(1, 1767323045).Varint(2, 123456000)));

        var json = Decode(body);

        Assert.Equal("2026-01-02T03:04:05Z", (string?)json["metadata"]!["creationTimestamp"]);
        Assert.Equal(-1, (int)json["count"]!);
        Assert.Equal("2026-01-02T03:04:05.123456Z", (string?)json["eventTime"]);
    }

    [Fact]
    public void Inlined_structs_merge_into_their_parent()
    {
        var body = ProtoWriter.Envelope("v1", "Pod", o => o
            .Message(1, Meta("p"))
            .Message(2, spec => spec
                .Message(1, v => v.String(1, "cfg").Message(2, src => src.Message(19, cm => cm
                    .Message(1, l => l.String(1, "settings"))
                    .Varint(3, 420))))
                .Message(2, c => c.String(1, "app").Message(7, e => e.String(1, "K")
                    .Message(3, s => s.Message(4, k => k.Message(1, l => l.String(1, "creds")).String(2, "token")))))));

        var json = Decode(body);
        var volume = json["spec"]!["volumes"]![0]!;
        Assert.Equal("cfg", (string?)volume["name"]);
        Assert.Equal("settings", (string?)volume["configMap"]!["name"]);
        Assert.Equal(420, (int)volume["configMap"]!["defaultMode"]!);
        Assert.Null(volume["volumeSource"]);
        var secretRef = json["spec"]!["containers"]![0]!["env"]![0]!["valueFrom"]!["secretKeyRef"]!;
        Assert.Equal("creds", (string?)secretRef["name"]);
        Assert.Equal("token", (string?)secretRef["key"]);
    }

    [Fact]
    public void Unknown_field_numbers_are_skipped()
    {
        var body = ProtoWriter.Envelope("v1", "ConfigMap", o => o
            .Message(1, Meta("x"))
            .Varint(900, 7)
            .String(901, "from a newer client")
            .MapEntry(2, "k", "v"));

        var json = Decode(body);

        Assert.Equal("v", (string?)json["data"]!["k"]);
        Assert.Equal(["apiVersion", "kind", "metadata", "data"], json.Select(p => p.Key));
    }

    [Fact]
    public void Service_with_int_and_named_target_ports()
    {
        var body = ProtoWriter.Envelope("v1", "Service", o => o
            .Message(1, Meta("web"))
            .Message(2, s => s
                .Message(1, p => p.String(1, "http").String(2, "TCP").Varint(3, 80).Message(4, t => t.Varint(1, 0).Varint(2, 8080)).Varint(5, 0))
                .Message(1, p => p.String(1, "other").String(2, "TCP").Varint(3, 81).Message(4, t => t.Varint(1, 0).Varint(2, 0)))
                .MapEntry(2, "app", "web")
                .String(4, "ClusterIP"))
            .Message(3, st => st.Message(1, _ => { })));

        var json = Decode(body);
        var ports = json["spec"]!["ports"]!;
        Assert.Equal(8080, (int)ports[0]!["targetPort"]!);
        Assert.False(ports[0]!.AsObject().ContainsKey("nodePort"));
        Assert.False(ports[1]!.AsObject().ContainsKey("targetPort"), "a zero non-pointer IntOrString means not given");
        Assert.Equal("ClusterIP", (string?)json["spec"]!["type"]);
    }

    [Fact]
    public void Managed_fields_carry_raw_json()
    {
        var body = ProtoWriter.Envelope("v1", "ConfigMap", o => o
            .Message(1, m => m.String(1, "x").Message(17, e => e
                .String(1, "kubectl").String(2, "Update").String(3, "v1")
                .Message(4, t => t.Varint(1, 1767323045))
                .String(6, "FieldsV1")
                .Message(7, f => f.Bytes(1, Encoding.UTF8.GetBytes("""{"f:data":{".":{}}}"""))))));

        var entry = Decode(body)["metadata"]!["managedFields"]![0]!;

        Assert.Equal("kubectl", (string?)entry["manager"]);
        Assert.Equal("2026-01-02T03:04:05Z", (string?)entry["time"]);
        Assert.Equal("""{"f:data":{".":{}}}""", entry["fieldsV1"]!.ToJsonString());
    }

    [Fact]
    public void Missing_magic_is_rejected()
    {
        Assert.False(KubernetesProtobuf.TryDecodeToJson("""{"kind":"ConfigMap"}"""u8, out var obj, out var error));
        Assert.Null(obj);
        Assert.Contains("magic", error);
    }

    [Fact]
    public void Unknown_kind_is_rejected_with_its_name()
    {
        var body = ProtoWriter.Envelope("example.com/v1", "Widget", o => o.Message(1, Meta("w")));

        Assert.False(KubernetesProtobuf.TryDecodeToJson(body, out _, out var error));
        Assert.Contains("Widget", error);
        Assert.Contains("example.com/v1", error);
    }

    [Fact]
    public void Truncated_message_is_malformed()
    {
        var body = ProtoWriter.Envelope("v1", "ConfigMap", o => o.Message(1, Meta("x")).MapEntry(2, "k", "v"));

        Assert.False(KubernetesProtobuf.TryDecodeToJson(body.AsSpan(0, body.Length - 3), out _, out var error));
        Assert.StartsWith("malformed protobuf", error);
    }

    [Fact]
    public void Wrong_wire_type_is_malformed()
    {
        var body = ProtoWriter.Envelope("v1", "ConfigMap", o => o.Varint(1, 5));

        Assert.False(KubernetesProtobuf.TryDecodeToJson(body, out _, out var error));
        Assert.Contains("metadata", error);
    }

    [Fact]
    public void Compressed_content_encoding_is_refused()
    {
        var unknown = new ProtoWriter()
            .Message(1, t => t.String(1, "v1").String(2, "ConfigMap"))
            .Bytes(2, [])
            .String(3, "gzip")
            .ToArray();

        Assert.False(KubernetesProtobuf.TryDecodeToJson([.. "k8s\0"u8.ToArray(), .. unknown], out _, out var error));
        Assert.Contains("gzip", error);
    }

    [Fact]
    public void CanDecode_knows_the_typed_create_kinds()
    {
        Assert.True(KubernetesProtobuf.CanDecode(new GroupVersionKind("batch", "v1", "CronJob")));
        Assert.True(KubernetesProtobuf.CanDecode(new GroupVersionKind("authentication.k8s.io", "v1", "TokenRequest")));
        Assert.False(KubernetesProtobuf.CanDecode(new GroupVersionKind("example.com", "v1", "Widget")));
    }

    [Fact]
    public void Eviction_keeps_a_zero_grace_period()
    {
        var body = ProtoWriter.Envelope("policy/v1", "Eviction", o => o
            .Message(1, m => m.String(1, "web-0").String(3, "prod"))
            .Message(2, d => d.Varint(1, 0).Message(2, p => p.String(1, "uid-1")).String(4, "Foreground").String(5, "All")));

        var options = Decode(body)["deleteOptions"]!;

        Assert.Equal(0, (long)options["gracePeriodSeconds"]!);
        Assert.Equal("uid-1", (string?)options["preconditions"]!["uid"]);
        Assert.Equal("Foreground", (string?)options["propagationPolicy"]);
        Assert.Equal("""["All"]""", options["dryRun"]!.ToJsonString());
    }

    [Fact]
    public void Packed_and_unpacked_repeated_integers_both_decode()
    {
        var body = ProtoWriter.Envelope("v1", "Pod", o => o
            .Message(1, Meta("p"))
            .Message(2, spec => spec
                .Message(2, c => c.String(1, "app"))
                .Message(14, sc => sc
                    .Varint(4, 1000).Varint(4, 2000)
                    .Bytes(4, [0xB8, 0x17, 0xA0, 0x1F])))); // 3000 and 4000 packed, as proto3 writers do

        var groups = Decode(body)["spec"]!["securityContext"]!["supplementalGroups"]!;

        Assert.Equal("[1000,2000,3000,4000]", groups.ToJsonString());
    }

    [Fact]
    public void Out_of_range_time_is_malformed_not_a_crash()
    {
        var body = ProtoWriter.Envelope("v1", "ConfigMap", o => o
            .Message(1, m => m.String(1, "x").Message(8, t => t.Varint(1, long.MaxValue))));

        Assert.False(KubernetesProtobuf.TryDecodeToJson(body, out _, out var error));
        Assert.Contains("timestamp", error);
    }
}
