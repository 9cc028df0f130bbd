using Skiff.Api.Meta;
using Skiff.Api.Protobuf;
using Skiff.Api.Schema;

namespace Skiff.Api.Tests.Protobuf;

public sealed class ProtoFieldTableTests
{
    /// <summary>The kinds kubectl's typed commands (create, run, expose, create token, autoscale) send as
    /// protobuf, plus the meta types that travel with them.</summary>
    public static readonly TheoryData<string, string, string> TypedCommandKinds = new()
    {
        { "", "v1", "ConfigMap" }, { "", "v1", "Secret" }, { "", "v1", "Namespace" }, { "", "v1", "Service" },
        { "", "v1", "ServiceAccount" }, { "", "v1", "ResourceQuota" }, { "", "v1", "Pod" }, { "", "v1", "Event" },
        { "", "v1", "Endpoints" }, { "", "v1", "LimitRange" }, { "", "v1", "PersistentVolumeClaim" },
        { "", "v1", "PersistentVolume" }, { "", "v1", "Node" }, { "", "v1", "ReplicationController" },
        { "", "v1", "PodTemplate" }, { "", "v1", "Binding" },
        { "apps", "v1", "Deployment" }, { "apps", "v1", "StatefulSet" }, { "apps", "v1", "DaemonSet" },
        { "apps", "v1", "ReplicaSet" }, { "apps", "v1", "ControllerRevision" },
        { "batch", "v1", "Job" }, { "batch", "v1", "CronJob" },
        { "rbac.authorization.k8s.io", "v1", "Role" }, { "rbac.authorization.k8s.io", "v1", "RoleBinding" },
        { "rbac.authorization.k8s.io", "v1", "ClusterRole" }, { "rbac.authorization.k8s.io", "v1", "ClusterRoleBinding" },
        { "networking.k8s.io", "v1", "Ingress" }, { "networking.k8s.io", "v1", "IngressClass" },
        { "networking.k8s.io", "v1", "NetworkPolicy" }, { "networking.k8s.io", "v1", "ServiceCIDR" },
        { "networking.k8s.io", "v1", "IPAddress" },
        { "policy", "v1", "PodDisruptionBudget" }, { "policy", "v1", "Eviction" },
        { "scheduling.k8s.io", "v1", "PriorityClass" },
        { "autoscaling", "v1", "HorizontalPodAutoscaler" }, { "autoscaling", "v1", "Scale" },
        { "autoscaling", "v2", "HorizontalPodAutoscaler" },
        { "authentication.k8s.io", "v1", "TokenRequest" }, { "authentication.k8s.io", "v1", "TokenReview" },
        { "authentication.k8s.io", "v1", "SelfSubjectReview" },
        { "coordination.k8s.io", "v1", "Lease" },
        { "authorization.k8s.io", "v1", "SelfSubjectAccessReview" }, { "authorization.k8s.io", "v1", "SelfSubjectRulesReview" },
        { "authorization.k8s.io", "v1", "SubjectAccessReview" }, { "authorization.k8s.io", "v1", "LocalSubjectAccessReview" },
        { "certificates.k8s.io", "v1", "CertificateSigningRequest" },
        { "meta.k8s.io", "v1", "DeleteOptions" },
    };

    private static readonly HashSet<string> SpecialMessages =
    [
        "io.k8s.apimachinery.pkg.apis.meta.v1.Time", "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime",
        "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1", "io.k8s.apimachinery.pkg.api.resource.Quantity",
        "io.k8s.apimachinery.pkg.util.intstr.IntOrString", "io.k8s.apimachinery.pkg.runtime.RawExtension",
    ];

    /// <summary>Newer (1.3x) types whose field numbers were not confirmed upstream; their fields are left out of
    /// the parents' tables, so bytes for them are skipped as unknown. Shrink this list, never grow it quietly.</summary>
    private static readonly HashSet<string> KnownGaps =
    [
        "io.k8s.api.core.v1.PodCertificateProjection",
        "io.k8s.api.core.v1.ContainerExtendedResourceRequest", "io.k8s.api.core.v1.PodExtendedResourceClaimStatus",
        "io.k8s.api.core.v1.NodeAllocatableResourceClaimStatus", "io.k8s.api.core.v1.PodSchedulingGroup",
        "io.k8s.api.core.v1.ResourceHealth", "io.k8s.api.core.v1.ResourceStatus",
        "io.k8s.api.core.v1.VolumeMountStatus",
    ];

    [Theory]
    [MemberData(nameof(TypedCommandKinds))]
    public void Every_message_reachable_from_the_kind_has_field_numbers(string group, string version, string kind)
    {
        var gvk = new GroupVersionKind(group, version, kind);
        var root = SchemaExtensions.DefinitionNamesByKind.TryGetValue(gvk, out var name)
            ? name
            : $"io.k8s.apimachinery.pkg.apis.meta.v1.{kind}";
        var missing = new SortedSet<string>();
        var seen = new HashSet<string>();
        var queue = new Queue<string>([root]);
        while (queue.TryDequeue(out var definition))
        {
            if (!seen.Add(definition) || SpecialMessages.Contains(definition)) continue;
            if (ProtoFieldTable.Find(definition) is null && !KnownGaps.Contains(definition)) missing.Add(definition);
            foreach (var property in SchemaExtensions.Find(definition)?.Properties.Values ?? [])
                if (SchemaExtensions.ElementRef(property.Schema) is { } next) queue.Enqueue(next);
        }
        Assert.True(missing.Count == 0, "no field numbers for: " + string.Join(", ", missing));
    }

    [Fact]
    public void Field_names_are_json_names_of_the_schema()
    {
        // Names the 1.36 schema has dropped stay in the table so old clients' bytes are still skipped cleanly.
        var removed = new HashSet<string> { "io.k8s.api.core.v1.ServiceSpec.topologyKeys", "io.k8s.api.core.v1.NodeSpec.externalID" };
        var wrong = new List<string>();
        foreach (var (definition, fields) in ProtoFieldTable.Messages)
        {
            var schema = SchemaExtensions.Find(definition);
            if (schema is null) continue; // an inlined struct; OpenAPI flattens it into its parent
            foreach (var field in fields.Values)
            {
                if (field.InlineDefinition is not null || schema.Property(field.JsonName) is not null) continue;
                if (!removed.Contains($"{definition}.{field.JsonName}")) wrong.Add($"{definition}.{field.JsonName}");
            }
        }
        Assert.True(wrong.Count == 0, "not in the schema: " + string.Join(", ", wrong));
    }

    [Fact]
    public void Inlined_messages_have_tables()
    {
        var inlines = ProtoFieldTable.Messages.Values.SelectMany(f => f.Values)
            .Select(f => f.InlineDefinition).OfType<string>().Distinct().ToList();

        Assert.NotEmpty(inlines);
        Assert.All(inlines, d => Assert.NotNull(ProtoFieldTable.Find(d)));
    }

    [Fact]
    public void Parse_rejects_a_repeated_field_number()
    {
        var e = Assert.Throws<FormatException>(() => ProtoFieldTable.Parse("@io.x\nThing a=1 b=1\n"));
        Assert.Contains("repeats field number 1", e.Message);
    }

    [Fact]
    public void Parse_reads_suffixes()
    {
        var table = ProtoFieldTable.Parse("@io.x\nThing a=1* b=2^Other c=3~ d=4%d e=5^io.y.Z\n")["io.x.Thing"];

        Assert.True(table[1].IsPointer);
        Assert.Equal("io.x.Other", table[2].InlineDefinition);
        Assert.Equal(ProtoFieldFlags.ListWrapper, table[3].Flags);
        Assert.Equal(ProtoFieldFlags.Duration, table[4].Flags);
        Assert.Equal("io.y.Z", table[5].InlineDefinition);
    }
}
