using Skiff.Agent.Tests.Support;
using Skiff.Agent.Volumes;
using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Meta.V1;

namespace Skiff.Agent.Tests.Volumes;

public sealed class SubPathsTests
{
    [Theory]
    [InlineData("/abs")]
    [InlineData("..")]
    [InlineData("a/../../b")]
    public void Escaping_sub_paths_are_refused(string subPath) =>
        Assert.Throws<ArgumentException>(() => SubPaths.Validate(subPath));

    [Fact]
    public void Missing_directories_are_created_inside_a_writable_volume()
    {
        using var dir = new TempDir();
        var volume = Directory.CreateDirectory(dir.Combine("vol")).FullName;
        var resolved = SubPaths.Resolve(volume, "a/b", create: true);
        Assert.Equal(Path.Combine(volume, "a", "b"), resolved);
        Assert.True(Directory.Exists(resolved));
        Assert.Throws<ArgumentException>(() => SubPaths.Resolve(volume, "c", create: false));
    }

    [Fact]
    public void A_symlink_out_of_the_volume_is_refused()
    {
        using var dir = new TempDir();
        var volume = Directory.CreateDirectory(dir.Combine("vol")).FullName;
        Directory.CreateDirectory(dir.Combine("outside"));
        File.CreateSymbolicLink(Path.Combine(volume, "evil"), dir.Combine("outside"));
        File.CreateSymbolicLink(Path.Combine(volume, "dangling"), dir.Combine("nowhere"));

        Assert.Throws<ArgumentException>(() => SubPaths.Resolve(volume, "evil", create: true));
        Assert.Throws<ArgumentException>(() => SubPaths.Resolve(volume, "evil/x", create: true));
        Assert.Throws<ArgumentException>(() => SubPaths.Resolve(volume, "dangling/x", create: true));
        Assert.False(Directory.Exists(dir.Combine("outside", "x")), "nothing was created outside the volume");
        Assert.False(Directory.Exists(dir.Combine("nowhere")));
    }

    [Fact]
    public void A_symlink_inside_the_volume_is_followed()
    {
        using var dir = new TempDir();
        var volume = Directory.CreateDirectory(dir.Combine("vol")).FullName;
        Directory.CreateDirectory(Path.Combine(volume, "real"));
        File.CreateSymbolicLink(Path.Combine(volume, "link"), "real");
        Assert.Equal(Path.Combine(volume, "real"), SubPaths.Resolve(volume, "link", create: false));
    }

    [Fact]
    public void Sub_path_expressions_expand_environment_and_pod_fields()
    {
        var pod = new Pod { Metadata = new ObjectMeta { Name = "web-0" } };
        var container = new Container
        {
            Env =
            [
                new EnvVar { Name = "POD", ValueFrom = new EnvVarSource { FieldRef = new ObjectFieldSelector { FieldPath = "metadata.name" } } },
                new EnvVar { Name = "KIND", Value = "logs" },
            ],
        };
        Assert.Equal("logs/web-0/$(NOPE)/$x", SubPaths.Expand("$(KIND)/$(POD)/$(NOPE)/$$x", pod, container));
    }
}
