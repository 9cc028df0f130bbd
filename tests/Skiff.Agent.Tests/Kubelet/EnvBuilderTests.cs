using System.Text;
using Skiff.Agent.Kubelet;
using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Meta.V1;

namespace Skiff.Agent.Tests.Kubelet;

public sealed class EnvBuilderTests
{
    private sealed class FakeSource : IConfigSource
    {
        public Dictionary<string, ConfigMap> ConfigMaps { get; } = [];
        public Dictionary<string, Secret> Secrets { get; } = [];
        public Task<ConfigMap?> GetConfigMapAsync(string ns, string name, CancellationToken ct) => Task.FromResult(ConfigMaps.GetValueOrDefault($"{ns}/{name}"));
        public Task<Secret?> GetSecretAsync(string ns, string name, CancellationToken ct) => Task.FromResult(Secrets.GetValueOrDefault($"{ns}/{name}"));
    }

    private static readonly PodRuntimeFacts Facts = new("192.0.2.10", ["10.42.0.7"], 4, 8L * 1024 * 1024 * 1024);

    private static Pod PodWith(Container c) => new()
    {
        Metadata = new ObjectMeta { Name = "web", Namespace = "shop", Uid = "u-1", Labels = new() { ["app"] = "web" }, Annotations = new() { ["team"] = "blue" } },
        Spec = new PodSpec { NodeName = "n1", ServiceAccountName = "sa", Containers = [c] },
    };

    [Theory]
    [InlineData("$(A)-$(B)", "1-2")]
    [InlineData("$(MISSING)", "$(MISSING)")]
    [InlineData("$$(A)", "$(A)")]
    [InlineData("cost $5", "cost $5")]
    [InlineData("$(A", "$(A")]
    [InlineData("$", "$")]
    [InlineData("$$$(A)", "$1")]
    public void Expansion_follows_upstream(string input, string expected)
    {
        Assert.Equal(expected, EnvBuilder.Expand(input, new Dictionary<string, string> { ["A"] = "1", ["B"] = "2" }));
    }

    [Fact]
    public async Task EnvFrom_then_env_in_order_with_expansion_over_what_is_defined_so_far()
    {
        var source = new FakeSource();
        source.ConfigMaps["shop/cfg"] = new ConfigMap { Data = new() { ["COLOR"] = "blue", ["SIZE"] = "L" } };
        source.Secrets["shop/sec"] = new Secret { Data = new() { ["TOKEN"] = Encoding.UTF8.GetBytes("s3cret"), ["COLOR"] = Encoding.UTF8.GetBytes("red") } };
        var c = new Container
        {
            Name = "main",
            EnvFrom = [new EnvFromSource { ConfigMapRef = new ConfigMapEnvSource { Name = "cfg" } }, new EnvFromSource { SecretRef = new SecretEnvSource { Name = "sec" }, Prefix = "S_" }],
            Env =
            [
                new EnvVar { Name = "LATER", Value = "$(FIRST)" },
                new EnvVar { Name = "FIRST", Value = "one" },
                new EnvVar { Name = "BOTH", Value = "$(FIRST)/$(COLOR)/$(S_TOKEN)" },
                new EnvVar { Name = "COLOR", Value = "green" },
            ],
        };
        var env = await new EnvBuilder(source).BuildAsync(PodWith(c), c, Facts, CancellationToken.None);

        Assert.Equal(["COLOR", "SIZE", "S_TOKEN", "S_COLOR", "LATER", "FIRST", "BOTH"], env.Select(e => e.Key));
        var map = env.ToDictionary();
        Assert.Equal("green", map["COLOR"]); // env wins over envFrom, keeping the first position
        Assert.Equal("$(FIRST)", map["LATER"]); // not defined yet when LATER was expanded
        Assert.Equal("one/blue/s3cret", map["BOTH"]);
        Assert.Equal("red", map["S_COLOR"]);
    }

    [Fact]
    public async Task Downward_api_fields_and_resources()
    {
        var c = new Container
        {
            Name = "main",
            Resources = new ResourceRequirements { Limits = new() { ["memory"] = "128Mi", ["cpu"] = "1500m" }, Requests = new() { ["cpu"] = "250m" } },
            Env =
            [
                new EnvVar { Name = "NAME", ValueFrom = new EnvVarSource { FieldRef = new ObjectFieldSelector { FieldPath = "metadata.name" } } },
                new EnvVar { Name = "APP", ValueFrom = new EnvVarSource { FieldRef = new ObjectFieldSelector { FieldPath = "metadata.labels['app']" } } },
                new EnvVar { Name = "TEAM", ValueFrom = new EnvVarSource { FieldRef = new ObjectFieldSelector { FieldPath = "metadata.annotations['team']" } } },
                new EnvVar { Name = "NODE", ValueFrom = new EnvVarSource { FieldRef = new ObjectFieldSelector { FieldPath = "spec.nodeName" } } },
                new EnvVar { Name = "HOST", ValueFrom = new EnvVarSource { FieldRef = new ObjectFieldSelector { FieldPath = "status.hostIP" } } },
                new EnvVar { Name = "IP", ValueFrom = new EnvVarSource { FieldRef = new ObjectFieldSelector { FieldPath = "status.podIP" } } },
                new EnvVar { Name = "MEM_MI", ValueFrom = new EnvVarSource { ResourceFieldRef = new ResourceFieldSelector { Resource = "limits.memory", Divisor = "1Mi" } } },
                new EnvVar { Name = "CPU", ValueFrom = new EnvVarSource { ResourceFieldRef = new ResourceFieldSelector { Resource = "limits.cpu" } } },
                new EnvVar { Name = "CPU_M", ValueFrom = new EnvVarSource { ResourceFieldRef = new ResourceFieldSelector { Resource = "requests.cpu", Divisor = "1m" } } },
                new EnvVar { Name = "NODE_MEM", ValueFrom = new EnvVarSource { ResourceFieldRef = new ResourceFieldSelector { Resource = "limits.ephemeral-storage" } } },
            ],
        };
        var map = (await new EnvBuilder(new FakeSource()).BuildAsync(PodWith(c), c, Facts, CancellationToken.None)).ToDictionary();
        Assert.Equal("web", map["NAME"]);
        Assert.Equal("web", map["APP"]);
        Assert.Equal("blue", map["TEAM"]);
        Assert.Equal("n1", map["NODE"]);
        Assert.Equal("192.0.2.10", map["HOST"]);
        Assert.Equal("10.42.0.7", map["IP"]);
        Assert.Equal("128", map["MEM_MI"]);
        Assert.Equal("2", map["CPU"]); // 1.5 cores round up
        Assert.Equal("250", map["CPU_M"]);
        Assert.Equal("0", map["NODE_MEM"]);

        var noLimit = new Container { Name = "x", Env = [new EnvVar { Name = "M", ValueFrom = new EnvVarSource { ResourceFieldRef = new ResourceFieldSelector { Resource = "limits.memory" } } }] };
        var fallback = await new EnvBuilder(new FakeSource()).BuildAsync(PodWith(noLimit), noLimit, Facts, CancellationToken.None);
        Assert.Equal((8L * 1024 * 1024 * 1024).ToString(), fallback.Single().Value); // the node's allocatable
    }

    [Fact]
    public async Task Missing_sources_fail_unless_optional()
    {
        var source = new FakeSource();
        source.ConfigMaps["shop/cfg"] = new ConfigMap { Data = new() { ["a"] = "1" } };
        var builder = new EnvBuilder(source);

        var missingMap = new Container { Name = "m", Env = [new EnvVar { Name = "X", ValueFrom = new EnvVarSource { ConfigMapKeyRef = new ConfigMapKeySelector { Name = "none", Key = "a" } } }] };
        var e1 = await Assert.ThrowsAsync<ContainerConfigException>(() => builder.BuildAsync(PodWith(missingMap), missingMap, Facts, CancellationToken.None));
        Assert.Equal("configmap \"none\" not found", e1.Message);

        var missingKey = new Container { Name = "m", Env = [new EnvVar { Name = "X", ValueFrom = new EnvVarSource { ConfigMapKeyRef = new ConfigMapKeySelector { Name = "cfg", Key = "b" } } }] };
        var e2 = await Assert.ThrowsAsync<ContainerConfigException>(() => builder.BuildAsync(PodWith(missingKey), missingKey, Facts, CancellationToken.None));
        Assert.Equal("couldn't find key b in ConfigMap shop/cfg", e2.Message);

        var missingSecret = new Container { Name = "m", EnvFrom = [new EnvFromSource { SecretRef = new SecretEnvSource { Name = "none" } }] };
        await Assert.ThrowsAsync<ContainerConfigException>(() => builder.BuildAsync(PodWith(missingSecret), missingSecret, Facts, CancellationToken.None));

        var optional = new Container
        {
            Name = "m",
            EnvFrom = [new EnvFromSource { SecretRef = new SecretEnvSource { Name = "none", Optional = true } }],
            Env = [new EnvVar { Name = "X", ValueFrom = new EnvVarSource { ConfigMapKeyRef = new ConfigMapKeySelector { Name = "cfg", Key = "b", Optional = true } } }],
        };
        Assert.Empty(await builder.BuildAsync(PodWith(optional), optional, Facts, CancellationToken.None));
    }
}
