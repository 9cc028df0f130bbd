using Skiff.Agent.Volumes;
using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Meta.V1;

namespace Skiff.Agent.Tests.Volumes;

public sealed class DownwardApiTests
{
    private static readonly Dictionary<string, decimal> Node = new() { ["cpu"] = 4, ["memory"] = 8m * 1024 * 1024 * 1024 };

    private static Pod APod() => new()
    {
        Metadata = new ObjectMeta
        {
            Name = "web", Namespace = "shop", Uid = "u-1",
            Labels = new() { ["zone"] = "b", ["app"] = "web" },
            Annotations = new() { ["note"] = "say \"hi\"\nthere" },
        },
        Spec = new PodSpec
        {
            NodeName = "node-1",
            ServiceAccountName = "builder",
            Containers =
            [
                new Container
                {
                    Name = "main",
                    Resources = new ResourceRequirements
                    {
                        Limits = new() { ["cpu"] = "500m", ["memory"] = "64Mi" },
                        Requests = new() { ["cpu"] = "250m" },
                    },
                },
            ],
        },
        Status = new PodStatus { PodIP = "10.42.0.7" },
    };

    [Theory]
    [InlineData("metadata.name", "web")]
    [InlineData("metadata.namespace", "shop")]
    [InlineData("metadata.uid", "u-1")]
    [InlineData("spec.nodeName", "node-1")]
    [InlineData("spec.serviceAccountName", "builder")]
    [InlineData("status.podIP", "10.42.0.7")]
    [InlineData("metadata.labels['zone']", "b")]
    [InlineData("metadata.labels", "app=\"web\"\nzone=\"b\"")]
    [InlineData("metadata.annotations", "note=\"say \\\"hi\\\"\\nthere\"")]
    public void Fields_render_as_upstream_writes_them(string field, string expected) =>
        Assert.Equal(expected, DownwardApi.Field(APod(), field));

    [Fact]
    public void Unknown_fields_are_refused() =>
        Assert.Throws<ArgumentException>(() => DownwardApi.Field(APod(), "spec.containers"));

    [Theory]
    [InlineData("limits.cpu", null, "1")]
    [InlineData("limits.cpu", "1m", "500")]
    [InlineData("requests.cpu", "1m", "250")]
    [InlineData("limits.memory", "1Mi", "64")]
    [InlineData("limits.memory", null, "67108864")]
    [InlineData("requests.memory", null, "0")]
    public void Resources_are_divided_and_rounded_up(string resource, string? divisor, string expected) =>
        Assert.Equal(expected, DownwardApi.Resource(APod(), "main", resource, divisor, Node));

    [Fact]
    public void An_unset_limit_is_the_node_allocatable()
    {
        var pod = APod();
        pod.Spec!.Containers![0].Resources!.Limits!.Remove("memory");
        Assert.Equal("8192", DownwardApi.Resource(pod, "main", "limits.memory", "1Mi", Node));
    }

    [Fact]
    public void Downward_volume_items_become_files_with_their_modes()
    {
        var files = ProjectionBuilder.FromDownwardApi(APod(),
        [
            new DownwardAPIVolumeFile { Path = "labels", FieldRef = new ObjectFieldSelector { FieldPath = "metadata.labels" } },
            new DownwardAPIVolumeFile { Path = "cpu", Mode = 0x100, ResourceFieldRef = new ResourceFieldSelector { ContainerName = "main", Resource = "limits.cpu", Divisor = "1m" } },
        ], 0x1A0, Node);
        Assert.Equal(["labels", "cpu"], files.Select(f => f.Path));
        Assert.Equal([0x1A0, 0x100], files.Select(f => f.Mode));
        Assert.Equal("500", System.Text.Encoding.UTF8.GetString(files[1].Data));
    }

    [Fact]
    public void Key_items_select_and_rename_and_missing_keys_fail_unless_optional()
    {
        var data = new Dictionary<string, byte[]> { ["a"] = [1], ["b"] = [2] };
        var all = ProjectionBuilder.FromKeys("configmap \"c\"", data, null, null, false);
        Assert.Equal(["a", "b"], all.Select(f => f.Path));
        Assert.All(all, f => Assert.Equal(ProjectionBuilder.DefaultMode, f.Mode));

        var picked = ProjectionBuilder.FromKeys("configmap \"c\"", data, [new KeyToPath { Key = "b", Path = "dir/bee", Mode = 0x124 }], 0x100, false);
        Assert.Equal("dir/bee", Assert.Single(picked).Path);
        Assert.Equal(0x124, picked[0].Mode);

        Assert.Throws<ArgumentException>(() => ProjectionBuilder.FromKeys("configmap \"c\"", data, [new KeyToPath { Key = "zz", Path = "z" }], null, false));
        Assert.Empty(ProjectionBuilder.FromKeys("configmap \"c\"", data, [new KeyToPath { Key = "zz", Path = "z" }], null, true));
    }

    [Theory]
    [InlineData("500m", 0.5)]
    [InlineData("1Gi", 1073741824)]
    [InlineData("2k", 2000)]
    [InlineData("1.5", 1.5)]
    [InlineData("1e3", 1000)]
    public void Quantities_parse(string text, double expected) =>
        Assert.Equal((decimal)expected, QuantityValue.Parse(text));
}
